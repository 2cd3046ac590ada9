// Package registry is the working group's book of record: production units,
// sessions, cases, resolutions and revivals, and the yearly figures drawn
// from them.
package registry
