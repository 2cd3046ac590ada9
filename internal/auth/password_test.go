package auth

import (
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// TestStandInHashHasTheRealCost checks that the hash an unknown user's
// sign-in is compared against costs what a real user's does, whatever cost
// is configured (tests lower it): issue 12, item 2.
func TestStandInHashHasTheRealCost(t *testing.T) {
	saved := BcryptCost
	defer func() { BcryptCost = saved }()
	for _, cost := range []int{bcrypt.MinCost, 6, 10} {
		BcryptCost = cost
		real, err := hashPassword("a real password of someone")
		if err != nil {
			t.Fatal(err)
		}
		want, _ := bcrypt.Cost([]byte(real))
		got, err := bcrypt.Cost([]byte(standInHash()))
		if err != nil || got != want {
			t.Fatalf("configured cost %d: the stand-in hash has cost %d (%v), a real one %d", cost, got, err, want)
		}
	}
}
