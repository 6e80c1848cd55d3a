# SPDX-License-Identifier: MIT
# Internet checksum (RFC 1071) of the buffer at r1, r2 bytes long: the one's
# complement of the one's complement sum of its 16-bit big-endian words, as
# IPv4, TCP and UDP headers carry it. Assemble with `xbpf asm`, run with
# `xbpf exec` (scripts/demo.sh shows how).

        mov %r0, 0              # the running sum
        mov %r3, 0              # offset of the next word
loop:
        mov %r4, %r3
        add %r4, 1
        jge %r4, %r2, tail      # fewer than two bytes left
        mov %r4, %r1
        add %r4, %r3
        ldxh %r5, [%r4]
        be16 %r5                # the words are big-endian
        add %r0, %r5
        add %r3, 2
        ja loop
tail:
        jge %r3, %r2, fold      # no byte left over
        mov %r4, %r1
        add %r4, %r3
        ldxb %r5, [%r4]
        lsh %r5, 8              # an odd last byte is the high half of a word
        add %r0, %r5
fold:
        mov %r5, %r0            # add the carries back in until there are none
        rsh %r5, 16
        jeq %r5, 0, done
        and %r0, 0xffff
        add %r0, %r5
        ja fold
done:
        xor %r0, 0xffff
        exit
