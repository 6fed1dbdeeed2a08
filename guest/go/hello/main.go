// Command hello is the smallest Go guest: it proves the Go runtime starts under the VM
// (Cannon's patched, single-threaded runtime) and can write to stdout.
package main

import "os"

func main() {
	os.Stdout.Write([]byte("hello world\n"))
}
