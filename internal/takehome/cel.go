package takehome

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/ext"
)

// Every evaluation is bounded: a cost limit (CEL's estimate of work done,
// a comprehension over a large list costs its size) and a wall-clock
// interrupt, so that no expression can hang a run.
const (
	costLimit     = 1_000_000
	evalTimeout   = 2 * time.Second
	maxRandLength = 4096 // rand_string and rand_bytes
)

// errCostLimit is what a runaway expression's check says.
var errCostLimit = errors.New("expression exceeded its cost limit")

// scope names the variables an expression sees, besides the ones every
// expression sees (values, run, captures, vars, stubs).
type scope int

const (
	scopeBase       scope = iota // values, data, variables, stub bodies
	scopeRequest                 // an http step's path and body: i
	scopeHeaders                 // an http step's headers: i, request_body
	scopeHTTP                    // after an http step
	scopeSQL                     // after an sql step
	scopeStatements              // after a statements step
	scopeConcurrent              // after a concurrent step
	scopeExec                    // after an exec step
	scopeCount
)

// scopeVars are each scope's own variables.
var scopeVars = map[scope][]cel.EnvOption{
	scopeRequest: {cel.Variable("i", cel.IntType)},
	scopeHeaders: {cel.Variable("i", cel.IntType), cel.Variable("request_body", cel.StringType)},
	scopeHTTP: {cel.Variable("status", cel.IntType), cel.Variable("headers", cel.MapType(cel.StringType, cel.StringType)),
		cel.Variable("body", cel.DynType), cel.Variable("text", cel.StringType), cel.Variable("duration_ms", cel.IntType)},
	scopeSQL:        {cel.Variable("rows", cel.ListType(cel.MapType(cel.StringType, cel.DynType)))},
	scopeStatements: {cel.Variable("statements", cel.IntType)},
	scopeConcurrent: {cel.Variable("count", cel.IntType), cel.Variable("errors", cel.IntType),
		cel.Variable("statuses", cel.MapType(cel.IntType, cel.IntType)),
		cel.Variable("p50_ms", cel.DoubleType), cel.Variable("p95_ms", cel.DoubleType),
		cel.Variable("p99_ms", cel.DoubleType), cel.Variable("max_ms", cel.DoubleType)},
	scopeExec: {cel.Variable("exit_code", cel.IntType), cel.Variable("output", cel.StringType),
		cel.Variable("junit", cel.DynType)},
}

// envs holds one CEL environment per scope, its functions bound to one run's seed.
type envs [scopeCount]*cel.Env

func newEnvs(seed int64) (*envs, error) {
	base := append([]cel.EnvOption{
		ext.Strings(), ext.Encoders(), ext.Math(),
		// p95_ms < 400 reads as written: a double compared with an int.
		cel.CrossTypeNumericComparisons(true),
		cel.Variable("values", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("run", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("captures", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("vars", cel.MapType(cel.StringType, cel.StringType)),
		cel.Variable("stubs", cel.MapType(cel.StringType, cel.DynType)),
	}, functions(seed)...)
	env, err := cel.NewEnv(base...)
	if err != nil {
		return nil, fmt.Errorf("cel environment: %w", err)
	}
	var e envs
	e[scopeBase] = env
	for sc := scopeBase + 1; sc < scopeCount; sc++ {
		if e[sc], err = env.Extend(scopeVars[sc]...); err != nil {
			return nil, fmt.Errorf("cel environment: %w", err)
		}
	}
	return &e, nil
}

// functions are the only functions a bundle gets beyond CEL's standard
// library and the strings, encoders and math extensions.
func functions(seed int64) []cel.EnvOption {
	str, integer, byt := cel.StringType, cel.IntType, cel.BytesType
	return []cel.EnvOption{
		cel.Function("rand_int", cel.Overload("takehome_rand_int_string_int_int", []*cel.Type{str, integer, integer}, integer,
			cel.FunctionBinding(func(args ...ref.Val) ref.Val {
				lo, hi := args[1].(types.Int), args[2].(types.Int)
				if hi < lo {
					return types.NewErr("rand_int: hi %d is below lo %d", hi, lo)
				}
				return types.Int(int64(lo) + randFor(seed, string(args[0].(types.String))).Int64N(int64(hi-lo)+1))
			}))),
		cel.Function("rand_string", cel.Overload("takehome_rand_string_string_int", []*cel.Type{str, integer}, str,
			cel.BinaryBinding(func(name, n ref.Val) ref.Val {
				if err := randLength(n); err != nil {
					return err
				}
				const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
				r := randFor(seed, string(name.(types.String)))
				b := make([]byte, int(n.(types.Int)))
				for i := range b {
					b[i] = alphabet[r.IntN(len(alphabet))]
				}
				return types.String(b)
			}))),
		cel.Function("rand_bytes", cel.Overload("takehome_rand_bytes_string_int", []*cel.Type{str, integer}, byt,
			cel.BinaryBinding(func(name, n ref.Val) ref.Val {
				if err := randLength(n); err != nil {
					return err
				}
				r := randFor(seed, string(name.(types.String)))
				b := make([]byte, int(n.(types.Int)))
				for i := range b {
					b[i] = byte(r.Uint32())
				}
				return types.Bytes(b)
			}))),
		cel.Function("hmac_sha256",
			cel.Overload("takehome_hmac_sha256_bytes_string", []*cel.Type{byt, str}, byt, cel.BinaryBinding(hmacBinding)),
			cel.Overload("takehome_hmac_sha256_bytes_bytes", []*cel.Type{byt, byt}, byt, cel.BinaryBinding(hmacBinding))),
		cel.Function("sha256",
			cel.Overload("takehome_sha256_bytes", []*cel.Type{byt}, byt, cel.UnaryBinding(func(v ref.Val) ref.Val {
				sum := sha256.Sum256(v.(types.Bytes))
				return types.Bytes(sum[:])
			})),
			cel.Overload("takehome_sha256_string", []*cel.Type{str}, byt, cel.UnaryBinding(func(v ref.Val) ref.Val {
				sum := sha256.Sum256([]byte(v.(types.String)))
				return types.Bytes(sum[:])
			}))),
		cel.Function("base64", cel.Overload("takehome_base64_bytes", []*cel.Type{byt}, str, cel.UnaryBinding(func(v ref.Val) ref.Val {
			return types.String(base64.StdEncoding.EncodeToString(v.(types.Bytes)))
		}))),
		cel.Function("base64_decode", cel.Overload("takehome_base64_decode_string", []*cel.Type{str}, byt, cel.UnaryBinding(func(v ref.Val) ref.Val {
			b, err := base64.StdEncoding.DecodeString(string(v.(types.String)))
			if err != nil {
				return types.NewErr("base64_decode: %v", err)
			}
			return types.Bytes(b)
		}))),
		cel.Function("now_unix", cel.Overload("takehome_now_unix", nil, integer, cel.FunctionBinding(func(...ref.Val) ref.Val {
			return types.Int(time.Now().Unix())
		}))),
		cel.Function("now_rfc3339ms", cel.Overload("takehome_now_rfc3339ms", nil, str, cel.FunctionBinding(func(...ref.Val) ref.Val {
			return types.String(rfc3339ms(time.Now()))
		}))),
		cel.Function("unix_rfc3339ms", cel.Overload("takehome_unix_rfc3339ms_int_int", []*cel.Type{integer, integer}, str,
			cel.BinaryBinding(func(s, ms ref.Val) ref.Val {
				return types.String(rfc3339ms(time.Unix(int64(s.(types.Int)), int64(ms.(types.Int))*int64(time.Millisecond))))
			}))),
		cel.Function("standard_webhook_signature", cel.Overload("takehome_standard_webhook_signature_string_string_int_string",
			[]*cel.Type{str, str, integer, str}, str, cel.FunctionBinding(func(args ...ref.Val) ref.Val {
				sig, err := StandardWebhookSignature(string(args[0].(types.String)), string(args[1].(types.String)),
					int64(args[2].(types.Int)), string(args[3].(types.String)))
				if err != nil {
					return types.NewErr("standard_webhook_signature: %v", err)
				}
				return types.String(sig)
			}))),
		cel.Function("json", cel.Overload("takehome_json_dyn", []*cel.Type{cel.DynType}, str, cel.UnaryBinding(func(v ref.Val) ref.Val {
			native, err := toNative(v)
			if err != nil {
				return types.NewErr("json: %v", err)
			}
			b, err := json.Marshal(native)
			if err != nil {
				return types.NewErr("json: %v", err)
			}
			return types.String(b)
		}))),
	}
}

// randFor is the generator of one named per-run value: the same seed and
// name give the same value, so a run can be reproduced, and a candidate
// cannot know it beforehand.
func randFor(seed int64, name string) *rand.Rand {
	h := sha256.New()
	binary.Write(h, binary.BigEndian, seed)
	h.Write([]byte(name))
	var key [32]byte
	copy(key[:], h.Sum(nil))
	return rand.New(rand.NewChaCha8(key))
}

func randLength(n ref.Val) ref.Val {
	if v := n.(types.Int); v < 0 || v > maxRandLength {
		return types.NewErr("length %d is outside 0..%d", v, maxRandLength)
	}
	return nil
}

func hmacBinding(key, msg ref.Val) ref.Val {
	m := hmac.New(sha256.New, key.(types.Bytes))
	switch v := msg.(type) {
	case types.String:
		m.Write([]byte(v))
	case types.Bytes:
		m.Write(v)
	}
	return types.Bytes(m.Sum(nil))
}

func rfc3339ms(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// StandardWebhookSignature signs a webhook as Standard Webhooks says: the
// secret is "whsec_" and base64, the signed content "id.timestamp.body",
// the signature "v1," and the base64 HMAC-SHA256.
func StandardWebhookSignature(secret, id string, ts int64, body string) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return "", fmt.Errorf("the secret is not whsec_ and base64: %w", err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + strconv.FormatInt(ts, 10) + "." + body))
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}

// expr is one compiled expression with its source, for messages.
type expr struct {
	src   string
	at    pos
	sc    scope
	ast   *cel.Ast
	left  *expr // the left side of a comparison, to say what came back
	needs []string
}

// compileExpr type-checks src in scope sc. want, when not nil, is the type
// the expression must have (bool for expect, a number for metrics).
func compileExpr(e *envs, src string, at pos, sc scope, want ...*cel.Type) (*expr, error) {
	a, iss := e[sc].Compile(src)
	if iss.Err() != nil {
		return nil, &posError{at: at, msg: fmt.Sprintf("expression %q: %s", src, oneLine(iss.Err().Error()))}
	}
	if len(want) > 0 {
		out := a.OutputType()
		ok := out.IsExactType(cel.DynType)
		for _, w := range want {
			ok = ok || out.IsExactType(w)
		}
		if !ok {
			return nil, &posError{at: at, msg: fmt.Sprintf("expression %q is a %s, want %s", src, out, typeNames(want))}
		}
	}
	x := &expr{src: src, at: at, sc: sc, ast: a, needs: capturesUsed(a)}
	if left := comparisonLeft(a); left != "" {
		if la, iss := e[sc].Compile(left); iss.Err() == nil {
			x.left = &expr{src: left, at: at, sc: sc, ast: la}
		}
	}
	return x, nil
}

func typeNames(ts []*cel.Type) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.String()
	}
	return strings.Join(names, " or ")
}

// oneLine squeezes CEL's multi-line diagnostics (with their caret lines).
func oneLine(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "|") {
			continue
		}
		keep = append(keep, strings.TrimPrefix(t, "ERROR: <input>:"))
	}
	return strings.Join(keep, "; ")
}

// prog is an expression made runnable in one run's environment.
type prog struct {
	*expr
	p cel.Program
}

func (x *expr) program(e *envs) (*prog, error) {
	p, err := e[x.sc].Program(x.ast, cel.CostLimit(costLimit), cel.InterruptCheckFrequency(64), cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, fmt.Errorf("plan %q: %w", x.src, err)
	}
	return &prog{expr: x, p: p}, nil
}

// eval runs the expression over vars, bounded by the cost limit and evalTimeout.
func (p *prog) eval(ctx context.Context, vars map[string]any) (ref.Val, error) {
	ctx, cancel := context.WithTimeout(ctx, evalTimeout)
	defer cancel()
	v, _, err := p.p.ContextEval(ctx, vars)
	if err != nil {
		msg := err.Error()
		switch {
		case strings.Contains(msg, "cost limit exceeded"):
			return nil, fmt.Errorf("%s: %w", p.src, errCostLimit)
		case strings.Contains(msg, "interrupted"):
			return nil, fmt.Errorf("%s: expression took longer than %s", p.src, evalTimeout)
		}
		return nil, fmt.Errorf("%s: %s", p.src, msg)
	}
	return v, nil
}

// toNative turns a CEL value into plain Go values (maps, slices, int64,
// float64, string, bool, nil) for JSON, templates and captures.
func toNative(v ref.Val) (any, error) {
	switch v := v.(type) {
	case types.Null:
		return nil, nil
	case types.Bool:
		return bool(v), nil
	case types.Int:
		return int64(v), nil
	case types.Uint:
		return uint64(v), nil
	case types.Double:
		return float64(v), nil
	case types.String:
		return string(v), nil
	case types.Bytes:
		return base64.StdEncoding.EncodeToString(v), nil
	case types.Timestamp:
		return v.Time.UTC().Format(time.RFC3339Nano), nil
	case types.Duration:
		return v.Duration.String(), nil
	}
	if m, ok := v.(traits.Mapper); ok {
		out := map[string]any{}
		for it := m.Iterator(); it.HasNext() == types.True; {
			k := it.Next()
			nv, err := toNative(m.Get(k))
			if err != nil {
				return nil, err
			}
			ks, err := toNative(k)
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(ks)] = nv
		}
		return out, nil
	}
	if l, ok := v.(traits.Lister); ok {
		out := []any{}
		for it := l.Iterator(); it.HasNext() == types.True; {
			nv, err := toNative(it.Next())
			if err != nil {
				return nil, err
			}
			out = append(out, nv)
		}
		return out, nil
	}
	if types.IsError(v) {
		return nil, v.(*types.Err)
	}
	return nil, fmt.Errorf("a %s cannot be used here", v.Type())
}

// show formats a value for a message: JSON, cut short.
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return cut(string(b), 120)
}

func cut(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
