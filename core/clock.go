package core

import "time"

// Clock tells the time; use cases take one so tests can fix it.
type Clock interface {
	Now() time.Time
}

// SystemClock is the Clock of the real world, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }
