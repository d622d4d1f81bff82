package contact

import (
	"time"

	"github.com/google/uuid"
)

// Contact is a classified email address found on a domain: the entity the
// email scan stores (one per domain and address) and the catalog lists.
type Contact struct {
	ID          uuid.UUID `json:"id"`
	DomainID    uuid.UUID `json:"domain_id"`
	Email       string    `json:"email"`
	Type        Type      `json:"email_type"`
	HasGmail    bool      `json:"has_gmail"`
	Context     string    `json:"context"`
	SourceURL   string    `json:"source_url"`
	FirstSeenAt time.Time `json:"first_seen_at"`
	LastSeenAt  time.Time `json:"last_seen_at"`
}
