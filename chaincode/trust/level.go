package trust

// Level is one of the paper's seven trust levels (its table 10).
type Level string

// The seven levels, from most to least trusted.
const (
	VeryHighTrust    Level = "very high trust"
	HighTrust        Level = "high trust"
	MediumTrust      Level = "medium trust"
	LowTrust         Level = "low trust/distrust"
	MediumDistrust   Level = "medium distrust"
	HighDistrust     Level = "high distrust"
	VeryHighDistrust Level = "very high distrust"
)

// LevelOf maps a fixed-point trust value to its level. Each level's interval
// is open below and closed above, except the lowest, which includes -1.
func LevelOf(t int64) Level {
	switch {
	case t > 750_000:
		return VeryHighTrust
	case t > 500_000:
		return HighTrust
	case t > 250_000:
		return MediumTrust
	case t > -250_000:
		return LowTrust
	case t > -500_000:
		return MediumDistrust
	case t > -750_000:
		return HighDistrust
	default:
		return VeryHighDistrust
	}
}
