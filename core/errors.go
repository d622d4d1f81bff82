package core

import "errors"

// Sentinel errors. Adapters wrap them with %w and the HTTP adapter maps them
// to status codes in one table.
var (
	// ErrNotFound means the addressed entity does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalidStatus means a string is not one of an enum's values.
	ErrInvalidStatus = errors.New("invalid status")
	// ErrEmptyBatch means a batch operation was given no IDs. It is rejected in
	// core because an empty list renders as NULL in SQL and matches nothing.
	ErrEmptyBatch = errors.New("empty batch")
	// ErrBatchTooLarge means a batch exceeds the use case's limit.
	ErrBatchTooLarge = errors.New("batch too large")
	// ErrInvalidDomain means a string cannot be normalized to a host.
	ErrInvalidDomain = errors.New("invalid domain")
)

// ErrLeaseLost means a fenced write found that the job's claim token no
// longer owns the row: its lease expired and another worker claimed it, or
// the rescuer put it back. The late worker's result is discarded.
var ErrLeaseLost = errors.New("lease lost")

// ErrUnavailable means the store could not do its work for a passing
// reason: the connection was refused, reset or closed by a restarting
// server, a statement or lock timeout fired, a serialization failure or a
// deadlock was detected, or the pool had no connection to give. Retrying
// later may succeed. Adapters classify their driver's errors and wrap this
// sentinel, so that core never looks at a driver's error types.
var ErrUnavailable = errors.New("store unavailable")
