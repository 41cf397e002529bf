package takehome

import (
	"slices"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/parser"
)

// comparisons are the operators whose left side a failure message shows:
// "expected body.status == \"paid\"; got \"created\"".
var comparisons = []string{operators.Equals, operators.NotEquals, operators.Less, operators.LessEquals,
	operators.Greater, operators.GreaterEquals, operators.In}

// comparisonLeft is the source of a comparison's left side, "" when the
// expression is not a comparison.
func comparisonLeft(a *cel.Ast) string {
	native := a.NativeRep()
	e := native.Expr()
	if e.Kind() != celast.CallKind || !slices.Contains(comparisons, e.AsCall().FunctionName()) {
		return ""
	}
	args := e.AsCall().Args()
	if len(args) != 2 || args[0].Kind() == celast.LiteralKind {
		return ""
	}
	src, err := parser.Unparse(args[0], native.SourceInfo())
	if err != nil {
		return ""
	}
	return src
}

// capturesUsed names the captures an expression reads (captures.x or
// captures["x"]), so that a check whose capture was never set can be not run,
// naming the check that should have set it.
func capturesUsed(a *cel.Ast) []string {
	var names []string
	celast.PostOrderVisit(a.NativeRep().Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		var operand celast.Expr
		var field string
		switch e.Kind() {
		case celast.SelectKind:
			operand, field = e.AsSelect().Operand(), e.AsSelect().FieldName()
		case celast.CallKind:
			c := e.AsCall()
			if c.FunctionName() != operators.Index || len(c.Args()) != 2 || c.Args()[1].Kind() != celast.LiteralKind {
				return
			}
			s, ok := c.Args()[1].AsLiteral().(types.String)
			if !ok {
				return
			}
			operand, field = c.Args()[0], string(s)
		default:
			return
		}
		if operand.Kind() == celast.IdentKind && operand.AsIdent() == "captures" && !slices.Contains(names, field) {
			names = append(names, field)
		}
	}))
	return names
}
