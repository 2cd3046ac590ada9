package auth

import (
	"crypto/rand"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/taahod/taahod"
	"golang.org/x/crypto/bcrypt"
)

// BcryptCost is the work factor of new password hashes. Tests lower it.
var BcryptCost = 12

// MinPasswordLength is the shortest password accepted, in characters. The
// service keeps no list of breached passwords to check against, so length
// carries the strength: twelve characters is the floor that current
// guidance (NIST SP 800-63B, OWASP) sets for passwords chosen without such a
// check, and a Persian passphrase reaches it easily.
const MinPasswordLength = 12

// maxPasswordBytes is bcrypt's limit: it reads only the first 72 bytes.
const maxPasswordBytes = 72

// standIn holds the hash compared against when the user name is unknown,
// so that a sign-in takes as long whether or not the user exists: a hash of
// a random password at the cost real hashes have (BcryptCost, which tests
// lower), made again whenever that cost changes.
var standIn struct {
	sync.Mutex
	hash string
	cost int
}

// standInHash returns the stand-in hash at the present BcryptCost.
func standInHash() string {
	standIn.Lock()
	defer standIn.Unlock()
	if standIn.hash == "" || standIn.cost != BcryptCost {
		h, err := bcrypt.GenerateFromPassword([]byte(rand.Text()), BcryptCost)
		if err != nil {
			// Only a cost out of bcrypt's range fails, and then no
			// password could be hashed either.
			panic("auth: stand-in hash: " + err.Error())
		}
		standIn.hash, standIn.cost = string(h), BcryptCost
	}
	return standIn.hash
}

// HashPassword checks the password's rules and returns its bcrypt hash.
func HashPassword(password string) (string, error) {
	if err := checkPassword("password", password); err != nil {
		return "", err
	}
	return hashPassword(password)
}

func hashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), BcryptCost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// checkPassword applies the rules every password follows, naming field in
// the error.
func checkPassword(field, password string) error {
	switch {
	case password == "":
		return taahod.Invalid(field, "required", "the password is empty")
	case !utf8.ValidString(password):
		return taahod.Invalid(field, "invalid_text", "the password is not valid UTF-8")
	case utf8.RuneCountInString(password) < MinPasswordLength:
		return taahod.Invalid(field, "too_short", "the password must have at least 12 characters")
	case len(password) > maxPasswordBytes:
		// bcrypt reads only the first 72 bytes; refuse rather than ignore the rest.
		return taahod.Invalid(field, "too_long", "the password must have at most 72 bytes")
	case oneCharacter(password):
		return taahod.Invalid(field, "too_weak", "the password repeats one character")
	}
	return nil
}

// checkNewPassword applies, besides the rules of every password, those of a
// password a user chooses for themselves: not their user name, and not the
// password it replaces.
func checkNewPassword(username, current, password string) error {
	if err := checkPassword("new_password", password); err != nil {
		return err
	}
	switch {
	case strings.EqualFold(strings.TrimSpace(password), username):
		return taahod.Invalid("new_password", "same_as_username", "the password must not be the user name")
	case password == current:
		return taahod.Invalid("new_password", "unchanged", "the new password must differ from the current one")
	}
	return nil
}

func oneCharacter(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	return strings.Trim(s, string(first)) == ""
}

// passwordMatches reports whether password is the one hashed in hash.
func passwordMatches(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// newOneTimePassword returns a password for an administrator to hand over:
// crypto/rand's Text, 26 characters of the base32 alphabet (A-Z, 2-7, so no
// 0/O or 1/I to misread), about 130 bits.
func newOneTimePassword() string { return rand.Text() }
