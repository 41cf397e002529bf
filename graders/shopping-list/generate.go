package shoppinglist

import "math/rand/v2"

// The replacement data set (contract §3: more lists than the starter, other
// names and quantities). Names share nothing with the starter kit, so data
// copied from it is told apart; some carry apostrophes, ampersands and accents
// to catch hand-built SQL or naive parsing.
var (
	listNames = []string{
		"Mum's birthday dinner", "Camping trip", "Crêpes for the café", "Sunday roast",
		"Back to school", "Movie night", "Picnic in the park", "Holiday cottage",
		"Ben & Jerry's night in", "Housewarming party", "Baby shower", "Game day",
		"Christmas Eve", "Lunchboxes", "Garden centre run", "Cleaning day",
	}
	// staples open every list: with 8 or more lists and 3 staples, some item
	// name always appears in several lists (the brief promises it may).
	staples   = []string{"Sparkling water", "Paper towels", "Lemons"}
	itemNames = []string{
		"Crème fraîche", "Sourdough loaf", "Rice", "Chickpeas", "Tortilla chips",
		"Salsa", "Popcorn kernels", "Marshmallows", "Tent pegs", "Firelighters",
		"Bananas", "Yoghurt", "Parmesan", "Spaghetti", "Tinned tomatoes", "Basil",
		"Garlic", "Onions", "Carrots", "Potatoes", "Roast chicken", "Gravy granules",
		"Peas", "Notebooks", "Pencils", "Glue sticks", "Balloons", "Candles",
		"Napkins", "Paper plates", "Strawberries", "Cream", "Nappies", "Baby wipes",
		"Crisps", "Orange juice", "Dish soap", "Bin bags", "Sponges", "Compost",
		"Seeds", "Jalapeños", "Hummus", "Olives", "Dark chocolate", "Ice cream",
	}
)

// Replacement sizes: at least minLists lists, which the N+1 threshold and the
// brief rely on ("the grading data always has at least 8 lists").
const (
	minLists    = 8
	maxLists    = 10
	minItems    = 3
	maxItems    = 8
	maxQuantity = 20
)

// generate returns the replacement data for a seed; the same seed always gives
// the same data, so a scorecard's seed reproduces its run.
func generate(seed int64) []List {
	r := rand.New(rand.NewPCG(uint64(seed), 0x5309))
	nLists := minLists + r.IntN(maxLists-minLists+1)
	names := pick(r, listNames, nLists)
	lists := make([]List, nLists)
	for i := range lists {
		nItems := minItems + r.IntN(maxItems-minItems+1)
		items := append([]string{staples[r.IntN(len(staples))]}, pick(r, itemNames, nItems-1)...)
		lists[i] = List{Name: names[i], Items: make([]Item, nItems)}
		for j, name := range items {
			lists[i].Items[j] = Item{Name: name, Quantity: 1 + r.IntN(maxQuantity)}
		}
	}
	return lists
}

// pick returns n distinct elements of from, in random order.
func pick(r *rand.Rand, from []string, n int) []string {
	idx := r.Perm(len(from))[:n]
	out := make([]string, n)
	for i, k := range idx {
		out[i] = from[k]
	}
	return out
}
