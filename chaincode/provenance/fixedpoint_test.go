package provenance

import (
	"strings"
	"testing"

	"bcmlp.local/chaincode/trust"
)

func TestFixedScaleIsTheTrustScale(t *testing.T) {
	if fixedScale != trust.Scale {
		t.Fatalf("fixedScale = %d, trust.Scale = %d: scores would be misread by the registry", fixedScale, trust.Scale)
	}
}

func TestParseFixed(t *testing.T) {
	for value, want := range map[string]int64{
		"0": 0, "-0": 0, "0.0": 0, "1": 1_000_000, "-1": -1_000_000, "0.5": 500_000, "-0.25": -250_000,
		"12.5": 12_500_000, "0.000001": 1, "-0.000001": -1, "123.456789": 123_456_789, "007.10": 7_100_000,
		"999999999999.999999": 999_999_999_999_999_999, "-999999999999.999999": -999_999_999_999_999_999,
		"0000000000000000000001": 1_000_000,
	} {
		got, err := parseFixed("x", value)
		if err != nil || got != want {
			t.Errorf("parseFixed(%q) = %d, %v; want %d", value, got, err, want)
		}
	}
}

func TestParseFixedRefusals(t *testing.T) {
	for value, want := range map[string]string{
		"":                      "x must not be empty: give a decimal number such as 0.75",
		"1e3":                   `x "1e3" is not a decimal number: write it with digits, an optional leading '-' and an optional point, e.g. -0.25 or 12.5 (no exponent, no '+')`,
		"+1":                    `x "+1" is not a decimal number`,
		".5":                    `x ".5" is not a decimal number`,
		"5.":                    `x "5." is not a decimal number`,
		"--1":                   `x "--1" is not a decimal number`,
		" 1":                    `x " 1" is not a decimal number`,
		"1 ":                    `x "1 " is not a decimal number`,
		"NaN":                   `x "NaN" is not a decimal number`,
		"Inf":                   `x "Inf" is not a decimal number`,
		"0x10":                  `x "0x10" is not a decimal number`,
		"1_000":                 `x "1_000" is not a decimal number`,
		"١":                     `x "١" is not a decimal number`,
		"0.1234567":             `x "0.1234567" has 7 decimals: give at most 6`,
		"1.0000000":             `x "1.0000000" has 7 decimals: give at most 6`,
		"1000000000000":         `x "1000000000000" has 13 digits before the point: give at most 12`,
		"-1000000000000.5":      `x "-1000000000000.5" has 13 digits before the point: give at most 12`,
		strings.Repeat("9", 30): "has 30 digits before the point",
	} {
		if _, err := parseFixed("x", value); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseFixed(%q) = %v, want it to contain %q", value, err, want)
		}
	}
}
