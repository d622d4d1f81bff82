// Package contact holds the pure rules about email addresses found on web
// pages: whether an address is plausible at all (Plausible) and what kind of
// mailbox it is relative to the site it was found on (Classify, HasGmail).
// It also defines Contact, the stored entity: one classified address per
// domain, which the email scan (core/scan) writes and the catalog lists.
//
// The rules are syntactic and list-based; nothing here does I/O. The public
// suffix list (golang.org/x/net/publicsuffix) decides what a registrable
// domain is and whether a top-level domain exists.
package contact
