package web

// MountFS exposes mount to the tests, which feed it broken asset sets.
var MountFS = mount
