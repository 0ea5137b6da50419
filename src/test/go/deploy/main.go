// argocd-health runs an Argo CD resource health script (health.lua) on Kubernetes objects the way
// Argo CD's application controller does (argoproj/argo-cd util/lua/lua.go, VM.runLua and
// VM.ExecuteHealthLua): gopher-lua with the standard libraries skipped but package, base and
// table, the object decoded into the global `obj`, a one-second limit, and the returned table's
// status checked against Argo CD's health codes. The os library Argo CD adds in a safe form is
// left out: meshgate's script has no use for it, so a script that calls it fails here first.
//
//	argocd-health SCRIPT OBJECT.json...
//
// prints one JSON line per object, {"status": "...", "message": "..."}, or {"error": "..."} when
// the script fails or returns no table; exit 64 on bad usage or unreadable files.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// Argo CD's health codes (gitops-engine pkg/health): any other status is reported as Unknown
// with this message, as Argo CD does.
var healthCodes = map[string]bool{
	"Unknown": true, "Progressing": true, "Suspended": true, "Healthy": true, "Degraded": true, "Missing": true,
}

const invalidHealthStatus = "Lua returned an invalid health status"

type result struct {
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: argocd-health SCRIPT OBJECT.json...")
		os.Exit(64)
	}
	script, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "argocd-health:", err)
		os.Exit(64)
	}
	out := json.NewEncoder(os.Stdout)
	for _, file := range os.Args[2:] {
		var obj map[string]interface{}
		data, err := os.ReadFile(file)
		if err == nil {
			err = json.Unmarshal(data, &obj)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "argocd-health:", file+":", err)
			os.Exit(64)
		}
		if err := out.Encode(health(string(script), obj)); err != nil {
			fmt.Fprintln(os.Stderr, "argocd-health:", err)
			os.Exit(70)
		}
	}
}

func health(script string, obj map[string]interface{}) result {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for name, open := range map[string]lua.LGFunction{
		lua.LoadLibName: lua.OpenPackage,
		lua.BaseLibName: lua.OpenBase,
		lua.TabLibName:  lua.OpenTable,
	} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(open), NRet: 0, Protect: true}, lua.LString(name)); err != nil {
			return result{Error: err.Error()}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("obj", decode(l, obj))
	if err := l.DoString(script); err != nil {
		return result{Error: err.Error()}
	}
	returned, ok := l.Get(-1).(*lua.LTable)
	if !ok {
		return result{Error: fmt.Sprintf("expect table output from Lua script, not %s", l.Get(-1).Type())}
	}
	status := lua.LVAsString(returned.RawGetString("status"))
	if !healthCodes[status] {
		return result{Status: "Unknown", Message: invalidHealthStatus}
	}
	return result{Status: status, Message: lua.LVAsString(returned.RawGetString("message"))}
}

// decode turns JSON into Lua values as Argo CD's decodeValue does (numbers are float64 here).
func decode(l *lua.LState, value interface{}) lua.LValue {
	switch v := value.(type) {
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case []interface{}:
		arr := l.CreateTable(len(v), 0)
		for _, item := range v {
			arr.Append(decode(l, item))
		}
		return arr
	case map[string]interface{}:
		tbl := l.CreateTable(0, len(v))
		for key, item := range v {
			tbl.RawSetH(lua.LString(key), decode(l, item))
		}
		return tbl
	}
	return lua.LNil
}
