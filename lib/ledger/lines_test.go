package ledger

import (
	"bytes"
	"reflect"
	"testing"
)

// A line key's bytes (lineIndex) tell apart two keys that differ in any
// one field, a field added later included, and keep field boundaries
// ("ab","" is not "a","b").
func TestLineKeyBytesCoverEveryField(t *testing.T) {
	var base lineKey
	want := base.appendTo(nil)
	n := reflect.TypeOf(base).NumField()
	for i := range n {
		k := base
		f := reflect.ValueOf(&k).Elem().Field(i)
		reflect.NewAt(f.Type(), f.Addr().UnsafePointer()).Elem().SetString("x")
		if bytes.Equal(k.appendTo(nil), want) {
			t.Errorf("field %s is not in lineKey.appendTo", reflect.TypeOf(base).Field(i).Name)
		}
	}
	a, b := lineKey{piEmail: "ab"}, lineKey{piEmail: "a", piName: "b"}
	if bytes.Equal(a.appendTo(nil), b.appendTo(nil)) {
		t.Error("field boundaries are lost")
	}
}
