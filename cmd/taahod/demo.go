package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/registry"
)

// demo is the state the demo steps share: the stores, and the ids of what
// earlier steps (of this run or an earlier one) created.
type demo struct {
	db       *database.DB
	auth     *auth.Store
	registry *registry.Store
	// issuer issues the demo's certificates; without a signing key that
	// step is skipped.
	issuer certificate.Issuer
}

// errDemoSkipped is returned by a step that cannot load now (it says why);
// it is not recorded as loaded, so that a later seed-demo loads it.
type errDemoSkipped struct{ why string }

func (e errDemoSkipped) Error() string { return e.why }

// demoStep is one part of the demo data, loaded once and recorded in
// demo_steps.
type demoStep struct {
	name string
	load func(ctx context.Context, d *demo) error
}

// demoSteps load in this order, each after the steps whose data it builds
// on: the registry's units and users first, the schools and the money on
// them next, and the certificates, which certify what the ledger's demo
// ran, last. A new capability puts its step where its data belongs.
var demoSteps = []demoStep{
	{"units", loadDemoUnits},
	{"users", loadDemoUsers},
	{"registry units", loadRegistryDemoUnits},
	{"registry 1403", loadRegistryDemo1403},
	{"registry 1404", loadRegistryDemo1404},
	{"schools", loadDemoSchools},
	{"pledges", loadDemoPledges},
	{"expenditures", loadDemoExpenditures},
	{"school progress", loadDemoProgress},
	{"offset policies", loadDemoPolicies},
	{"tax years and offsets", loadDemoTaxYears},
	{"certificates", loadDemoCertificates},
}

// demoUnits are the demo's production units. Their national ids get valid
// check digits from the ten-digit prefixes.
var demoUnits = []registry.NewUnit{
	{Name: "شرکت فولاد البرز قزوین", NationalID: taahod.MakeLegalEntityID("1010234567"), County: "البرز", Status: registry.UnitActive},
	{Name: "صنایع غذایی نان‌آوران تاکستان", NationalID: taahod.MakeLegalEntityID("1010345678"), County: "تاکستان", Status: registry.UnitActive},
	{Name: "کاشی و سرامیک آبیک", NationalID: taahod.MakeLegalEntityID("1010456789"), County: "آبیک", Status: registry.UnitStagnant},
	{Name: "داروسازی بوئین‌زهرا", NationalID: taahod.MakeLegalEntityID("1010567890"), County: "بوئین‌زهرا", Status: registry.UnitActive},
	{Name: "نساجی قزوین (علی رضایی)", NationalID: taahod.MakeNationalCode("004123456"), County: "قزوین", Status: registry.UnitActive},
}

// demoUser is a demo account; its password is printed on the console.
type demoUser struct {
	username, password, fullName string
	role                         taahod.Role
	units                        []int // indexes into demoUnits
}

var demoUsers = []demoUser{
	{"admin", "admin-demo-1404", "مدیر سامانه", taahod.RoleAdmin, nil},
	{"secretariat", "secretariat-demo-1404", "دبیرخانه کارگروه", taahod.RoleSecretariat, nil},
	{"accountant", "accountant-demo-1404", "حسابدار فولاد و نان‌آوران", taahod.RoleAccountant, []int{0, 1}},
	{"accountant2", "accountant2-demo-1404", "حسابدار داروسازی", taahod.RoleAccountant, []int{3}},
	{"tax", "tax-demo-1404", "مریم احمدی، کارشناس مالیاتی", taahod.RoleTaxOfficer, nil},
	{"education", "education-demo-1404", "نوسازی مدارس", taahod.RoleEducationOfficer, nil},
	{"auditor", "auditor-demo-1404", "حسابرس", taahod.RoleAuditor, nil},
}

func loadDemoUnits(ctx context.Context, d *demo) error {
	for _, u := range demoUnits {
		if _, err := d.registry.CreateUnit(ctx, taahod.System, u); err != nil {
			return fmt.Errorf("unit %s: %w", u.Name, err)
		}
	}
	return nil
}

func loadDemoUsers(ctx context.Context, d *demo) error {
	for _, u := range demoUsers {
		var units []int64
		for _, i := range u.units {
			id, err := d.unitID(ctx, i)
			if err != nil {
				return err
			}
			units = append(units, id)
		}
		_, err := d.auth.CreateUser(ctx, taahod.System, auth.NewUser{
			Username: u.username, Password: u.password, Role: u.role, FullName: u.fullName, UnitIDs: units,
		})
		if err != nil {
			return fmt.Errorf("user %s: %w", u.username, err)
		}
	}
	return nil
}

// unitID returns the id of demoUnits[i].
func (d *demo) unitID(ctx context.Context, i int) (int64, error) {
	var id int64
	err := d.db.GetContext(ctx, &id, `SELECT id FROM units WHERE national_id = $1`, demoUnits[i].NationalID)
	return id, database.NotFound(err, "demo unit", demoUnits[i].Name)
}

func seedDemoCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if err := parseFlags(flagSet("seed-demo", stderr, &cfg), args); err != nil {
		return err
	}
	issuer, err := cfg.issuer()
	if err != nil {
		return err
	}
	db, err := cfg.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := loadDemo(ctx, db, issuer, stdout); err != nil {
		return err
	}
	// No server may be running to chain the demo's audit entries.
	if err := database.WaitChained(ctx, db); err != nil {
		return fmt.Errorf("chain the demo's audit entries: %w", err)
	}
	if err := printDemoCertificate(ctx, db, issuer, stdout); err != nil {
		return err
	}
	printDemoUsers(stdout)
	return nil
}

// loadDemo loads every demo step not loaded yet; issuer issues the demo's
// certificates.
func loadDemo(ctx context.Context, db *database.DB, issuer certificate.Issuer, stdout io.Writer) error {
	d := &demo{db: db, auth: auth.NewStore(db), registry: registry.NewStore(db), issuer: issuer}
	for _, step := range demoSteps {
		var done bool
		if err := db.GetContext(ctx, &done, `SELECT EXISTS (SELECT 1 FROM demo_steps WHERE name = $1)`, step.name); err != nil {
			return database.MapError(err)
		}
		if done {
			continue
		}
		var skipped errDemoSkipped
		if err := step.load(ctx, d); errors.As(err, &skipped) {
			fmt.Fprintf(stdout, "demo: skipped %s: %s\n", step.name, skipped.why)
			continue
		} else if err != nil {
			return fmt.Errorf("demo %s: %w", step.name, err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO demo_steps (name, loaded_at) VALUES ($1, $2)`, step.name, db.Now()); err != nil {
			return database.MapError(err)
		}
		fmt.Fprintf(stdout, "demo: loaded %s\n", step.name)
	}
	return nil
}

func printDemoUsers(w io.Writer) {
	fmt.Fprintln(w, "\nDemo users (sign in on the web page at /, or with POST /api/v1/auth/login):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  username\tpassword\trole")
	for _, u := range demoUsers {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", u.username, u.password, u.role)
	}
	tw.Flush()
}
