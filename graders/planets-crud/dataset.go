package planetscrud

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Planet is one planet of the generated data set, as the GraphQL endpoint
// serves it.
type Planet struct {
	Name       string   `json:"name"`
	Population *int64   `json:"population"`
	Terrains   []string `json:"terrains"`
	Climates   []string `json:"climates"`
}

// kinds of planets the data set always holds, so that every check has
// something to judge whatever the seed.
const (
	minLarge    = 6 // population above 2^31
	minNull     = 4 // population unknown
	minEmpty    = 3 // terrains or climates empty
	minUnknown  = 3 // terrains or climates ["unknown"]
	minOrdinary = 8 // nothing special: the planets the restart checks edit and delete
)

var (
	syllables = []string{"ta", "too", "ine", "al", "de", "ran", "ho", "th", "dan", "tu", "kash", "yyyk",
		"cor", "us", "cant", "bi", "ka", "mi", "no", "bes", "pin", "end", "or", "ser", "en", "na", "bo",
		"ka", "my", "gee", "to", "ryl", "zan", "bar", "lo", "vek", "qua", "rix", "sul", "mon"}
	suffixes = []string{"", "", "", " Prime", " Minor", " Major", " IV", " VII", "-Beta", " Station"}
	terrains = []string{"desert", "grasslands", "mountains", "jungle", "rainforests", "tundra", "ice caves",
		"gas giant", "swamp", "forests", "lakes", "ocean", "cityscape", "volcanoes", "rocky islands",
		"plains", "savannas", "canyons", "sinkholes", "caves", "glaciers", "reefs"}
	climates = []string{"arid", "temperate", "tropical", "frozen", "murky", "hot", "frigid", "humid",
		"moist", "polluted", "windy", "superheated", "artificial temperate", "arctic", "subarctic"}
)

// Generate returns the data set of one grading run: 40 to 80 planets with
// unique names, populations null or integers (some above 2^31, up to 10^13),
// terrains and climates sometimes empty or ["unknown"]. The same seed always
// gives the same data set.
func Generate(seed int64) []Planet {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x61737361792d706c)) // "assay-pl"
	n := 40 + rng.IntN(41)
	seen := map[string]bool{}
	out := make([]Planet, 0, n)
	for len(out) < n {
		name := planetName(rng)
		if seen[strings.ToLower(name)] {
			continue
		}
		seen[strings.ToLower(name)] = true
		out = append(out, Planet{Name: name, Population: ordinaryPopulation(rng),
			Terrains: pick(rng, terrains, 1+rng.IntN(3)), Climates: pick(rng, climates, 1+rng.IntN(2))})
	}
	// Give the special kinds to planets chosen at random, leaving the rest ordinary.
	order := rng.Perm(n)
	next := func() *Planet { p := &out[order[0]]; order = order[1:]; return p }
	for range minLarge + rng.IntN(n/8) {
		v := int64(math.MaxInt32) + 1 + rng.Int64N(10_000_000_000_000-math.MaxInt32)
		next().Population = &v
	}
	next().Population = ptr(10_000_000_000_000) // the largest the contract allows
	for range minNull + rng.IntN(3) {
		next().Population = nil
	}
	for i := range minEmpty {
		p := next()
		if i%2 == 0 {
			p.Terrains = []string{}
		} else {
			p.Climates = []string{}
		}
	}
	both := next()
	both.Terrains, both.Climates = []string{}, []string{}
	for i := range minUnknown {
		p := next()
		if i%2 == 0 {
			p.Climates = []string{"unknown"}
		} else {
			p.Terrains = []string{"unknown"}
		}
	}
	next().Population = ptr(0)
	if len(order) < minOrdinary {
		panic("planets-crud: data set too small for its special planets")
	}
	return out
}

func planetName(rng *rand.Rand) string {
	var b strings.Builder
	for range 2 + rng.IntN(2) {
		b.WriteString(syllables[rng.IntN(len(syllables))])
	}
	s := b.String()
	return strings.ToUpper(s[:1]) + s[1:] + suffixes[rng.IntN(len(suffixes))]
}

func ordinaryPopulation(rng *rand.Rand) *int64 {
	return ptr(1 + rng.Int64N(math.MaxInt32-1))
}

func pick(rng *rand.Rand, from []string, k int) []string {
	idx := rng.Perm(len(from))[:k]
	slices.Sort(idx)
	out := make([]string, k)
	for i, j := range idx {
		out[i] = from[j]
	}
	return out
}

func ptr(v int64) *int64 { return &v }

// kind sorts a planet for the checks that judge it.
type kind int

const (
	ordinary kind = iota
	large
	nullPopulation
	special // empty or ["unknown"] terrains or climates
)

func (p Planet) kind() kind {
	switch {
	case p.Population == nil:
		return nullPopulation
	case *p.Population > math.MaxInt32:
		return large
	case len(p.Terrains) == 0 || len(p.Climates) == 0 || isUnknown(p.Terrains) || isUnknown(p.Climates):
		return special
	}
	return ordinary
}

func isUnknown(s []string) bool { return len(s) == 1 && s[0] == "unknown" }
