// Package core holds ScraperSky's domain model: the Domain entity, its status
// enums with their exact wire strings, the sentinel errors and the workflow
// descriptions that tie a primary (curation) status to a secondary
// (processing) status.
//
// Core imports only the standard library, github.com/google/uuid and
// golang.org/x/net; adapters import core, never the reverse.
package core
