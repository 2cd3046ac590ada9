package api

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
)

// Query-string filters of lists. Each reads one parameter and records a
// field error when it is malformed; absent is the zero value.

func queryID(c *gin.Context, p *taahod.Problems, name string) int64 {
	s := c.Query(name)
	if s == "" {
		return 0
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		p.Add(name, "invalid_id", name+" must be a positive whole number")
		return 0
	}
	return id
}

// queryYear reads a fiscal year: a Solar Hijri year such as 1404, in ASCII,
// Persian (۱۴۰۴) or Arabic-Indic digits. Absent is 0, or a problem when
// required.
func queryYear(c *gin.Context, p *taahod.Problems, name string, required bool) int {
	s := taahod.ASCIIDigits(c.Query(name))
	if s == "" {
		if required {
			p.Add(name, "required", "name the fiscal year, such as "+name+"=1404")
		}
		return 0
	}
	y, err := strconv.Atoi(s)
	if err != nil || !taahod.ValidFiscalYear(y) {
		p.Add(name, "invalid_year", name+" must be a Solar Hijri year such as 1404")
		return 0
	}
	return y
}

// queryDate reads a date as YYYY-MM-DD or, with slashes, as a Solar Hijri
// date (1404/09/05).
func queryDate(c *gin.Context, p *taahod.Problems, name string) taahod.Date {
	s := c.Query(name)
	if s == "" {
		return taahod.Date{}
	}
	parse := taahod.ParseDate
	if strings.Contains(s, "/") {
		parse = taahod.ParseJalali
	}
	d, err := parse(s)
	if err != nil {
		p.AddErr(name, err)
	}
	return d
}

func queryChoice(c *gin.Context, p *taahod.Problems, name string, valid func(string) bool) string {
	s := c.Query(name)
	if s != "" && !valid(s) {
		p.Add(name, "invalid_choice", name+" is not one of the values this list takes")
		return ""
	}
	return s
}

// queryAmount reads an amount of Rials with the API's strict rules (ASCII
// digits, no separators; taahod.ParseAmount). Absent is not Valid.
func queryAmount(c *gin.Context, p *taahod.Problems, name string) decimal.NullDecimal {
	s := c.Query(name)
	if s == "" {
		return decimal.NullDecimal{}
	}
	d, err := taahod.ParseAmount(s)
	if err != nil {
		p.AddErr(name, err)
		return decimal.NullDecimal{}
	}
	return decimal.NullDecimal{Decimal: d, Valid: true}
}
