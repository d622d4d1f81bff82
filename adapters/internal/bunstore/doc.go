// Package bunstore holds what the Bun stores of adapters/postgres and
// adapters/sqlite share: the domains row and its mapping to core.Domain,
// the allowlists that turn a core.Workflow into SQL identifiers, the queue's
// fenced statements, the scan and sitemap finishing writes, the catalog's
// query building and the migration helpers. What differs between the two
// databases (row locks against a writer slot, ANY against IN, ILIKE against
// lower()+LIKE, collations, the migration lock) comes in as a Dialect or a
// small function from the adapter.
//
// Being internal to adapters, it is no API of its own: each adapter keeps
// its exported names and forwards to this package.
package bunstore
