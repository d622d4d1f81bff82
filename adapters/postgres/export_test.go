package postgres

// The repository's statements, for the benchmark that runs them without
// the use case around them.
const (
	SetPrimarySQL     = setPrimarySQL
	QueueSecondarySQL = queueSecondarySQL
)
