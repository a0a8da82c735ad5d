/*
 * The bpf: capture source: packets from BPF probes at kernel taps.
 */
int bpftrace_findalldevs(pcap_if_list_t *devlistp, char *errbuf);
pcap_t *bpftrace_create(const char *device, char *errbuf, int *is_ours);
void bpftrace_selectable_fd_wanted(pcap_t *p);
