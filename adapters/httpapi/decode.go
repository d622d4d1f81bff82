package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"reflect"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// decodeJSON reads the request body into dst, a pointer to a request struct.
// It accepts only an uncompressed application/json body holding exactly one
// object whose members dst declares, each spelled exactly and given once;
// every other body is an httpError naming the problem. It reads the raw body: c.Body() would inflate a compressed
// body without any size limit.
func decodeJSON(c *fiber.Ctx, dst any) error {
	if enc := strings.TrimSpace(c.Get(fiber.HeaderContentEncoding)); enc != "" && !strings.EqualFold(enc, "identity") {
		return newHTTPError(fiber.StatusUnsupportedMediaType, "Content-Encoding %s is not supported; send the body uncompressed", echo(enc))
	}
	if err := checkContentType(c.Get(fiber.HeaderContentType)); err != nil {
		return err
	}
	body := c.Request().Body()
	if err := checkMembers(body, dst); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeProblem(err, dst)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return newHTTPError(fiber.StatusBadRequest, "malformed JSON: unexpected data after the top-level object")
	}
	return nil
}

// checkContentType accepts application/json with no charset or UTF-8, the
// only encoding JSON may use (RFC 8259).
func checkContentType(ct string) error {
	if strings.TrimSpace(ct) == "" {
		return newHTTPError(fiber.StatusUnsupportedMediaType, "Content-Type is missing; send application/json")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != fiber.MIMEApplicationJSON {
		return newHTTPError(fiber.StatusUnsupportedMediaType, "Content-Type %s is not supported; send application/json", echo(ct))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return newHTTPError(fiber.StatusUnsupportedMediaType, "charset %s is not supported; JSON must be UTF-8", echo(cs))
	}
	return nil
}

// decodeProblem turns a json.Decoder error into a 400 for a body that is not
// JSON and a 422 for JSON of the wrong shape.
func decodeProblem(err error, dst any) error {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return newHTTPError(fiber.StatusBadRequest, "malformed JSON: the request body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return newHTTPError(fiber.StatusBadRequest, "malformed JSON: the body ends in the middle of a value")
	case errors.As(err, &syntaxErr):
		return newHTTPError(fiber.StatusBadRequest, "malformed JSON at byte %d: %s", syntaxErr.Offset, strings.TrimPrefix(syntaxErr.Error(), "json: "))
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return unprocessable("the request body must be a JSON object, not %s", article(typeErr.Value))
		}
		want := describe(typeErr.Type)
		if ft, ok := fieldType(dst, typeErr.Field); ok && describe(ft) != want {
			// The mistyped value is an element of the member.
			return unprocessable("%s must be %s, but holds %s", typeErr.Field, describe(ft), article(typeErr.Value))
		}
		return unprocessable("%s must be %s, not %s", typeErr.Field, want, article(typeErr.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no typed error for this; its text is stable.
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return unprocessable("unknown field %s; allowed fields: %s", name, strings.Join(jsonFields(dst), ", "))
	default:
		return newHTTPError(fiber.StatusBadRequest, "malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
}

// describe words the Go type a JSON member decodes into.
func describe(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array of " + plural(describe(t.Elem()))
	case reflect.String:
		return "a string"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Bool:
		return "a boolean"
	default:
		return "a number"
	}
}

func plural(s string) string {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "an "), "a ")
	return s + "s"
}

// article names a JSON value kind as encoding/json reports it ("number",
// "string", "array", "object", "bool").
func article(kind string) string {
	switch kind {
	case "array", "object":
		return "an " + kind
	case "bool":
		return "a boolean"
	}
	if strings.HasPrefix(kind, "number") {
		return "a number"
	}
	return "a " + kind
}

// fieldType returns the Go type of dst's member called name in JSON.
func fieldType(dst any, name string) (reflect.Type, bool) {
	t := reflect.TypeOf(dst)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); tag == name {
			return t.Field(i).Type, true
		}
	}
	return nil, false
}

// jsonFields lists the JSON member names of the struct dst points to.
func jsonFields(dst any) []string {
	t := reflect.TypeOf(dst)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// checkMembers walks body's tokens and refuses an object that names a
// member twice (400), at any depth, and a top-level member whose name is
// not spelled exactly as dst declares it (422). encoding/json v1 matches
// names without regard to case and keeps the last of duplicates, so
// {"email_scan_status":"Maybe","EMAIL_SCAN_STATUS":"Selected"} would act
// on a value that a proxy reading the exact key never sees. A body that is
// not JSON passes: the decoder words that problem.
func checkMembers(body []byte, dst any) error {
	type frame struct {
		object, wantKey bool
		seen            map[string]bool
	}
	allowed := jsonFields(dst)
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				if top != nil && top.object {
					top.wantKey = true // this value is the member's
				}
				stack = append(stack, &frame{object: d == '{', wantKey: d == '{', seen: map[string]bool{}})
			default:
				stack = stack[:len(stack)-1]
				if len(stack) == 0 {
					return nil
				}
			}
			continue
		}
		switch {
		case top == nil:
			return nil // a scalar: the decoder refuses it
		case top.object && top.wantKey:
			name, _ := tok.(string)
			if top.seen[name] {
				return newHTTPError(fiber.StatusBadRequest, "malformed JSON: member %s appears twice", echo(name))
			}
			top.seen[name] = true
			if len(stack) == 1 && !slices.Contains(allowed, name) {
				return unprocessable("unknown field %s; allowed fields: %s (names are case-sensitive)", echo(name), strings.Join(allowed, ", "))
			}
			top.wantKey = false
		case top.object:
			top.wantKey = true
		}
	}
}
