# Function patterns, bpf:kprobe:PATTERN: how many functions a glob finds
# in this kernel's BTF (those with a struct sk_buff * among the first six
# arguments, and that can be probed), the one-line errors of a pattern
# that finds none or more than the limit, and on a kernel without kprobes
# or kprobe.multi (this host) the refusal naming both.  The captures
# themselves run in the kernel matrix (tests/kernels/guest-taps.sh,
# kprobe_pattern rows).
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
T=$TESTPROGS/tap_activate

# activate DEVICE [ENV...]: tap_activate's output, PCAP_BPF_DEBUG lines too.
activate() {
	device=$1
	shift
	env PCAP_BPF_DEBUG=1 "$@" "$T" "$device" 2>&1
}

# matched OUTPUT: the count of the resolver's debug line.
matched() {
	echo "$1" | sed -n "s/.*' matches \([0-9]*\) functions with an skb.*/\1/p" | head -1
}

out=$(activate 'bpf:kprobe:ip_*')
n_ip=$(matched "$out")
echo "ip_*: ${n_ip:-?} functions"
[ -n "$n_ip" ] && [ "$n_ip" -ge 10 ] ||
    fail "ip_* should match tens of functions (ip_rcv, ip_output...): $out"
out_rcv=$(activate 'bpf:kprobe:ip_rcv*')
n_rcv=$(matched "$out_rcv")
echo "ip_rcv*: ${n_rcv:-?} functions"
[ -n "$n_rcv" ] && [ "$n_rcv" -ge 2 ] && [ "$n_rcv" -lt "$n_ip" ] ||
    fail "ip_rcv* should match a few of ip_*'s $n_ip functions: $out_rcv"
out_all=$(activate 'bpf:kprobe:*' PCAP_BPF_FUNCTIONS_MAX=100000)
n_all=$(matched "$out_all")
echo "*: ${n_all:-?} functions"
[ -n "$n_all" ] && [ "$n_all" -gt "$n_ip" ] ||
    fail "* should match more than ip_*: $out_all"

# One line each, naming the problem and the way out.
expect() {
	echo "$1" | grep '^error' | grep -qF -- "$2" ||
	    fail "message lacks '$2': $1"
	[ "$(echo "$1" | grep -c '^error')" -eq 1 ] || fail "not one error line: $1"
}
expect "$(activate 'bpf:kprobe:zz_no_such_fn*')" \
    "no function matching 'zz_no_such_fn*' takes a struct sk_buff * in its first six arguments"
expect "$(activate 'bpf:kprobe:ip_*' PCAP_BPF_FUNCTIONS_MAX=5)" \
    "'ip_*' matches $n_ip functions, more than the 5 attached at once: narrow the pattern, or raise the limit with PCAP_BPF_FUNCTIONS_MAX=$n_ip"
expect "$(activate 'bpf:kprobe:schedule*')" "no function matching 'schedule*'"
expect "$(activate 'bpf:fentry:ip_*')" "function patterns are for bpf:kprobe: taps only"
expect "$(activate 'bpf:kprobe:ip_*:arg1')" "leave out ':arg1'"

# The default limit refuses '*' where it matches more, naming the count.
limit=$(sed -n 's/^#define FUNCTIONS_MAX_MULTI[[:space:]]*\([0-9]*\).*/\1/p' \
    "$(dirname "$0")/../bpftrace-function-pattern.h")
if [ "$n_all" -gt "$limit" ]; then
	expect "$(activate 'bpf:kprobe:*')" \
	    "'*' matches $n_all functions, more than the $limit attached at once"
fi

# The capture, where the kernel attaches it; else its refusal explained.
if echo "$out" | grep -q "^status 0"; then
	exit 0
fi
echo "$out" | grep '^error'
echo "$out" | grep -q "the kernel refused every way to attach: kprobe.multi .*; kprobe " ||
    fail "the refusal does not name kprobe.multi and kprobe and their reasons: $out"
skip "this kernel refuses kprobe.multi and kprobes: $(echo "$out" | grep '^error' | sed 's/^error [^:]*:[^:]*:[^:]*: //')"
