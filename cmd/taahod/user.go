package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/database"
	"golang.org/x/term"
)

// unitList is a repeatable --unit flag.
type unitList []int64

func (u *unitList) String() string { return fmt.Sprint(*u) }
func (u *unitList) Set(s string) error {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("--unit takes a unit id, not %q", s)
	}
	*u = append(*u, id)
	return nil
}

func userAddCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	fs := flagSet("user add", stderr, &cfg)
	var (
		username, role, fullName string
		units                    unitList
	)
	fs.StringVar(&username, "username", "", "user name")
	fs.StringVar(&role, "role", "", "role")
	fs.StringVar(&fullName, "full-name", "", "the person's name")
	fs.Var(&units, "unit", "unit id an accountant serves (repeat for several)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if username == "" || role == "" {
		fmt.Fprintln(stderr, "taahod user add: --username and --role are required")
		return errUsage
	}
	password, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}
	if password == "" {
		return fmt.Errorf("the password read from standard input is empty; refusing to add a user without one")
	}
	db, err := cfg.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := auth.NewStore(db).CreateUser(ctx, taahod.System, auth.NewUser{
		Username: username, Password: password, Role: taahod.Role(role), FullName: fullName, UnitIDs: units,
	})
	if err != nil {
		return err
	}
	// No server may be running to chain the audit entry: chain it here.
	if err := database.WaitChained(ctx, db); err != nil {
		return fmt.Errorf("chain the audit entry: %w", err)
	}
	fmt.Fprintf(stdout, "added user %s (id %d, role %s)\n", u.Username, u.ID, u.Role)
	return nil
}

// readPassword reads one line from stdin; at a terminal it asks for it
// without echo.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		return string(b), err
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read the password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
