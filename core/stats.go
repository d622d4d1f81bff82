package core

// StatusCount is how many domains hold one value of one status column; a
// NULL secondary status has Status "".
type StatusCount struct {
	Field  Field
	Status string
	Count  int
}
