// Package auth keeps the service's users, their roles and units, and the
// sign-in tokens (stored only as hashes), and slows down password guessing.
package auth
