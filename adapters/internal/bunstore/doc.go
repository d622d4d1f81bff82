// Package bunstore holds what the Bun stores of adapters/postgres and
// adapters/sqlite share: the domains row and its mapping to core.Domain,
// the map from a core.Workflow's name to its columns, the queueing rule in
// SQL, the queue's fenced statements on the jobs table, the scan and
// sitemap finishing writes, the run history, the catalog's query building
// and the migration helpers. What differs between the two databases (row
// locks against a writer slot, ANY against IN, ILIKE against
// lower()+LIKE, collations, the migration lock) comes in as a Dialect or a
// small function from the adapter.
//
// Most of it is the methods of Common, which each SQL store embeds, so
// they are the store's own methods with no forwarding. Being internal to
// adapters, only the two SQL stores and adapters/storetest import it.
package bunstore
