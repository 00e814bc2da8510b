package provenance

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Scores, metrics and data bounds are fixed-point integers with six decimals:
// a float parsed on two peers may round differently, an integer never does.

// fixedScale is the fixed-point unit: 1.0 is stored as 1_000_000. It is the
// same unit as trust.Scale, so that the registry reads scores unchanged.
const fixedScale int64 = 1_000_000

// fixedDecimals is the number of decimals fixedScale holds.
const fixedDecimals = 6

// maxFixedIntegerDigits bounds the digits before the point so that the value
// times fixedScale stays inside int64.
const maxFixedIntegerDigits = 12

var decimalPattern = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// parseFixed reads value, a decimal number such as "-0.25" or "12.5", as a
// fixed-point integer; field names the argument in errors.
func parseFixed(field, value string) (int64, error) {
	if value == "" {
		return 0, fmt.Errorf("%s must not be empty: give a decimal number such as 0.75", field)
	}
	if !decimalPattern.MatchString(value) {
		return 0, fmt.Errorf("%s %q is not a decimal number: write it with digits, an optional leading '-' and an optional point, e.g. -0.25 or 12.5 (no exponent, no '+')", field, value)
	}
	negative := strings.HasPrefix(value, "-")
	whole, fraction, _ := strings.Cut(strings.TrimPrefix(value, "-"), ".")
	if len(fraction) > fixedDecimals {
		return 0, fmt.Errorf("%s %q has %d decimals: give at most %d", field, value, len(fraction), fixedDecimals)
	}
	if digits := len(strings.TrimLeft(whole, "0")); digits > maxFixedIntegerDigits {
		return 0, fmt.Errorf("%s %q has %d digits before the point: give at most %d", field, value, digits, maxFixedIntegerDigits)
	}
	// Both parts are at most 12 and 6 plain digits, so neither parse can fail.
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(fraction+strings.Repeat("0", fixedDecimals-len(fraction)), 10, 64)
	n := w*fixedScale + f
	if negative {
		n = -n
	}
	return n, nil
}
