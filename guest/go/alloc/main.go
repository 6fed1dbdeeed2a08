// Command alloc allocates heavily so the Go heap grows through many mmap calls. Cannon
// patches the garbage collector out, so everything allocated stays mapped: the program
// keeps its total near 64 MiB and checks every buffer's contents before printing a sum.
package main

import (
	"fmt"
	"os"
)

const (
	rounds   = 64
	perRound = 64
	maxSize  = 32 << 10
)

func main() {
	state := uint32(0x9e3779b9)
	next := func() uint32 {
		state ^= state << 13
		state ^= state >> 17
		state ^= state << 5
		return state
	}
	var sum uint32
	var total int
	kept := make([][]byte, 0, rounds)
	for r := 0; r < rounds; r++ {
		bufs := make([][]byte, perRound)
		for i := range bufs {
			n := 1 + int(next()%maxSize)
			b := make([]byte, n)
			for j := 0; j < n; j += 64 {
				b[j] = byte(r + i + j/64)
			}
			bufs[i] = b
			total += n
		}
		for i, b := range bufs {
			for j := 0; j < len(b); j += 64 {
				if b[j] != byte(r+i+j/64) {
					fmt.Printf("alloc: corrupt buffer %d/%d at %d\n", r, i, j)
					os.Exit(1)
				}
				sum = sum*31 + uint32(b[j])
			}
		}
		kept = append(kept, bufs[r%perRound])
	}
	fmt.Printf("alloc: %d bytes in %d buffers, kept %d, checksum %08x\n",
		total, rounds*perRound, len(kept), sum)
}
