#!/bin/bash
# The main job, shown: in a private network namespace a firewall drops a
# TCP connection attempt, and Debian's unchanged tcpdump, using the built
# library, shows the dropped SYN at the kernel's kfree_skb tracepoint.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/prepare.sh"

ns=pbt-demo-$$
trap 'ip netns del $ns-client 2>/dev/null; ip netns del $ns-server 2>/dev/null' EXIT
ip netns add $ns-client
ip netns add $ns-server
ip link add demo0 netns $ns-client type veth peer name demo1 netns $ns-server
ip -n $ns-client addr add 198.18.0.1/24 dev demo0
ip -n $ns-server addr add 198.18.0.2/24 dev demo1
ip -n $ns-client link set demo0 up
ip -n $ns-server link set demo1 up
ip netns exec $ns-server iptables -A INPUT -p tcp --dport 6666 -j DROP

echo "# server 198.18.0.2 drops TCP port 6666; client 198.18.0.1 tries to connect"
echo "# LD_LIBRARY_PATH=build/lib tcpdump -ni bpf:tracepoint:skb:kfree_skb -c 2 'tcp port 6666'"
# tcpdump runs in the server's namespace, so the interface index it prints
# names that namespace's interface.
ip netns exec $ns-server env LD_LIBRARY_PATH=$top/build/lib \
    timeout 20 tcpdump -ni bpf:tracepoint:skb:kfree_skb \
    -c 2 'tcp port 6666 and host 198.18.0.2' &
tcpdump_pid=$!
sleep 1
ip netns exec $ns-client timeout 4 bash -c 'exec 3<>/dev/tcp/198.18.0.2/6666' 2>/dev/null || true
wait $tcpdump_pid || true
