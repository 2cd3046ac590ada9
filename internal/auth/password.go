package auth

import (
	"unicode/utf8"

	"github.com/taahod/taahod"
	"golang.org/x/crypto/bcrypt"
)

// BcryptCost is the work factor of new password hashes. Tests lower it.
var BcryptCost = 12

// MinPasswordLength is the shortest password accepted, in characters.
const MinPasswordLength = 10

// dummyHash is compared against when the user name is unknown, so that a
// sign-in takes as long whether or not the user exists.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("taahod-no-such-user"), bcrypt.MinCost)

// HashPassword checks the password's rules and returns its bcrypt hash.
func HashPassword(password string) (string, error) {
	switch {
	case password == "":
		return "", taahod.Invalid("password", "required", "the password is empty")
	case !utf8.ValidString(password):
		return "", taahod.Invalid("password", "invalid_text", "the password is not valid UTF-8")
	case utf8.RuneCountInString(password) < MinPasswordLength:
		return "", taahod.Invalid("password", "too_short", "the password must have at least 10 characters")
	case len(password) > 72:
		// bcrypt reads only the first 72 bytes; refuse rather than ignore the rest.
		return "", taahod.Invalid("password", "too_long", "the password must have at most 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), BcryptCost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// passwordMatches reports whether password is the one hashed in hash.
func passwordMatches(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}
