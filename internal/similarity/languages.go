package similarity

import (
	"strings"
	"unicode"
)

// language describes how scanTokens reads one language. The keyword lists
// are chroma's for the same language (v2.27), so a keyword stays a token of
// its own and every other word is a name, as with chroma's lexers.
type language struct {
	name     string // as the tests report it
	keywords map[string]bool
	// typesUnlessCalled are keywords that chroma reads as a name when "(" follows
	// (Go's int(x), string(b): conversions, like calls).
	typesUnlessCalled map[string]bool
	// operators of more than one character kept as one token; other operator
	// characters are one token each (chroma's Java and C# lexers split them all).
	operators map[string]bool
	// operatorPrefixes are the proper prefixes of operators, for maximal munch.
	operatorPrefixes map[string]bool
	identRune        func(ch rune, i int) bool
	// namespaceKeywords are followed by a dotted name that chroma reads as one
	// name (Java's package and import, C#'s using and namespace).
	namespaceKeywords map[string]bool
	// keywordsIgnoreCase: SQL's keywords, listed in lower case, are matched in any
	// case (and kept as written).
	keywordsIgnoreCase bool

	slashComments bool // // and /* */
	hashComments  bool // Python, MySQL: # to the end of the line
	dashComments  bool // SQL: -- to the end of the line

	backslashEscapes bool   // "\"" escapes the quote (every language here but SQL)
	tripleQuotes     bool   // Python's """ and ''', Java's text blocks """
	stringPrefixes   bool   // Python's r"", b"", f"", rb""…
	rawBackticks     bool   // Go: a backquoted string has no escapes
	templates        bool   // JavaScript, TypeScript: `…${expression}…`
	regexLiterals    bool   // JavaScript, TypeScript: /…/flags where an operand is expected
	verbatimStrings  bool   // C#: @"…", $"…", $@"…"; # directives dropped
	annotations      bool   // Java, Python: @Name is a name (chroma: NameDecorator)
	quotes           string // the characters that open a string or character literal
}

func words(list string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(list) {
		set[w] = true
	}
	return set
}

func operatorSet(list string) (map[string]bool, map[string]bool) {
	ops, prefixes := words(list), map[string]bool{}
	for op := range ops {
		for i := 1; i < len(op); i++ {
			prefixes[op[:i]] = true
		}
	}
	return ops, prefixes
}

func letterDigitUnderscore(ch rune, i int) bool {
	return ch == '_' || unicode.IsLetter(ch) || (i > 0 && unicode.IsDigit(ch))
}

func withDollar(ch rune, i int) bool {
	return ch == '$' || letterDigitUnderscore(ch, i)
}

func sqlIdentRune(ch rune, i int) bool {
	return letterDigitUnderscore(ch, i) || (i > 0 && ch == '$')
}

func newLanguage(l language, operators string) *language {
	l.operators, l.operatorPrefixes = operatorSet(operators)
	return &l
}

const jsOperators = "... => ++ -- && || << <<= >> >>= >>> >>>= == === != !== <= >= -= += *= %= &= |= ^= /="

var (
	goLanguage = newLanguage(language{
		name: "Go",
		keywords: words(`import package var func struct map chan type interface const
			break default select case defer go else goto switch fallthrough if range continue for return
			true false iota nil
			uint uint8 uint16 uint32 uint64 int int8 int16 int32 int64 float float32 float64
			complex64 complex128 byte rune string bool error uintptr any`),
		typesUnlessCalled: words(`uint uint8 uint16 uint32 uint64 int int8 int16 int32 int64 float float32 float64
			complex64 complex128 byte rune string bool error uintptr`),
		identRune: letterDigitUnderscore, slashComments: true, backslashEscapes: true, rawBackticks: true,
		quotes: "\"'`",
	}, "<<= >>= << >> <= >= &^= &^ += -= *= /= %= &= |= && || <- ++ -- == != := ...")

	javaScriptLanguage = newLanguage(language{
		name: "JavaScript",
		keywords: words(`for in while do break return continue switch case default if else throw try catch
			finally new delete typeof instanceof void yield this of var let with function
			abstract async await boolean byte char class const debugger double enum export extends final
			float goto implements import int interface long native package private protected public short
			static super synchronized throws transient using volatile true false null NaN Infinity undefined`),
		identRune: withDollar, slashComments: true, backslashEscapes: true, templates: true, regexLiterals: true,
		quotes: "\"'`",
	}, jsOperators)

	typeScriptLanguage = newLanguage(language{
		name: "TypeScript",
		keywords: words(`for in of while do break return yield continue switch case default if else throw
			try catch finally new delete typeof instanceof keyof asserts is infer await void this
			var let with function abstract async boolean class const debugger enum export extends from get
			global goto implements import interface namespace package private protected public readonly
			require set static super type using true false null NaN Infinity undefined
			string bool number any never object symbol unique unknown bigint constructor declare as`),
		identRune: withDollar, slashComments: true, backslashEscapes: true, templates: true, regexLiterals: true,
		quotes: "\"'`",
	}, jsOperators)

	pythonLanguage = newLanguage(language{
		name: "Python",
		keywords: words(`nonlocal continue finally except lambda assert global return raise yield while
			break await async pass else elif with try for del as if match case def class from import
			False True None in is and or not`),
		identRune: letterDigitUnderscore, hashComments: true, backslashEscapes: true, tripleQuotes: true,
		stringPrefixes: true, annotations: true, quotes: "\"'",
	}, "!= == << >> :=")

	javaLanguage = newLanguage(language{
		name: "Java",
		keywords: words(`assert break case catch continue default do else finally for if goto instanceof
			new return switch this throw try while abstract const enum exports extends final implements
			native open opens permits private protected provides public requires sealed static
			strictfp super synchronized throws to transient transitive uses volatile with yield
			boolean byte char double float int long short void package true false null class interface
			module var import record`),
		identRune: withDollar, slashComments: true, backslashEscapes: true, tripleQuotes: true,
		annotations: true, namespaceKeywords: words("package import"), quotes: "\"'",
	}, "")

	cSharpLanguage = newLanguage(language{
		name: "C#",
		keywords: words(`as await base break by case catch checked continue default delegate do else event
			finally fixed for foreach goto if in init is let lock new on out params readonly ref return
			sizeof stackalloc switch this throw try typeof unchecked virtual void while get set yield add
			remove value alias ascending descending from group into orderby select thenby where join equals
			extern global abstract async const enum explicit implicit internal operator override partial
			private protected public static sealed unsafe volatile bool byte char decimal double dynamic
			float int long object sbyte short string uint ulong ushort var true false null class struct
			record interface namespace using`),
		identRune: letterDigitUnderscore, slashComments: true, backslashEscapes: true, verbatimStrings: true,
		namespaceKeywords: words("using namespace"), quotes: "\"'",
	}, "")

	sqlLanguage = newLanguage(language{
		// chroma reads *.sql with its MySQL lexer: these are its keywords
		// and type names; true, false and null are names there.
		name: "SQL",
		keywords: words(`
			add all alter analyze and as asc asensitive auto_increment before between bigint binary bit
			blob bool both by call cascade case change char character charset check collate column
			condition constraint continue convert create cross current_date current_time
			current_timestamp current_user cursor database databases date datetime day_hour
			day_microsecond day_minute day_second dec decimal declare default delayed delete desc
			describe deterministic distinct distinctrow div double drop dual each else elseif enclosed
			engine enum escaped exists exit explain fetch float float4 float8 flush for force foreign
			from fulltext grant group having high_priority hour_microsecond hour_minute hour_second
			identified if ignore in index infile inner inout insensitive insert int int1 int2 int3 int4
			int8 integer interval into is iterate join key keys kill leading leave left like limit lines
			load localtime localtimestamp lock long longblob longtext loop low_priority match mediumblob
			mediumint mediumtext minute_microsecond minute_second mod modifies natural
			no_write_to_binlog not numeric on optimize option optionally or order out outer outfile
			precision primary privileges procedure purge raid0 read reads real references regexp release
			rename repeat replace require restrict return revoke right rlike schema schemas
			second_microsecond select sensitive separator set show smallint soname spatial specific sql
			sql_big_result sql_calc_found_rows sql_small_result sqlexception sqlstate sqlwarning ssl
			starting straight_join table tables terminated text then time timestamp tinyblob tinyint
			tinytext to trailing trigger undo union unique unlock unsigned update usage use user using
			utc_date utc_time utc_timestamp values varbinary varchar varcharacter varying when where
			while with write x509 xor year year_month zerofill`),
		keywordsIgnoreCase: true, identRune: sqlIdentRune, slashComments: true, dashComments: true,
		hashComments: true, quotes: "'\"",
	}, "")
)

// fastLanguages are the languages of most take-homes, read by scanTokens
// instead of chroma's regular-expression lexers (see tokens.go for why).
var fastLanguages = map[string]*language{
	".go": goLanguage,
	".js": javaScriptLanguage, ".jsx": javaScriptLanguage, ".mjs": javaScriptLanguage, ".cjs": javaScriptLanguage,
	".ts": typeScriptLanguage, ".tsx": typeScriptLanguage, ".mts": typeScriptLanguage, ".cts": typeScriptLanguage,
	".py": pythonLanguage, ".pyi": pythonLanguage,
	".java": javaLanguage,
	".cs":   cSharpLanguage,
	".sql":  sqlLanguage,
}
