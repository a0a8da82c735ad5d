/*
 * tap_activate DEVICE [-s snaplen] [-B bytes]
 *
 * Creates and activates a capture handle, then prints what a test needs
 * to check the outcome: the status code (number and libpcap name), the
 * error message, the link types offered, what pcap_inject() says, and how
 * many BPF objects this process still holds (a failed activation must
 * leave none).
 * Exit status: 0 when activated, 1 when activation failed, 2 on misuse.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

/* File descriptors of this process that refer to BPF programs, maps or links. */
static int
count_bpf_descriptors(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int count = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char path[300], target[300];
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, "anon_inode:bpf", 14) == 0)
			count++;
	}
	closedir(d);
	return count;
}

static const char *
status_name(int status)
{
	switch (status) {
	case 0: return "OK";
	case PCAP_ERROR: return "PCAP_ERROR";
	case PCAP_ERROR_NO_SUCH_DEVICE: return "PCAP_ERROR_NO_SUCH_DEVICE";
	case PCAP_ERROR_PERM_DENIED: return "PCAP_ERROR_PERM_DENIED";
	case PCAP_ERROR_ACTIVATED: return "PCAP_ERROR_ACTIVATED";
#ifdef PCAP_ERROR_CAPTURE_NOTSUP
	case PCAP_ERROR_CAPTURE_NOTSUP: return "PCAP_ERROR_CAPTURE_NOTSUP";
#endif
	default: return "other";
	}
}

int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	int snaplen = 0, buffer = 0, opt, status, *dlts, n, i;
	pcap_t *p;

	while ((opt = getopt(argc, argv, "s:B:")) != -1) {
		switch (opt) {
		case 's': snaplen = atoi(optarg); break;
		case 'B': buffer = atoi(optarg); break;
		default: return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: tap_activate [-s snaplen] [-B bytes] DEVICE\n");
		return 2;
	}
	p = pcap_create(argv[optind], errbuf);
	if (p == NULL) {
		printf("create_failed %s\n", errbuf);
		return 1;
	}
	if (snaplen)
		pcap_set_snaplen(p, snaplen);
	if (buffer)
		pcap_set_buffer_size(p, buffer);
	status = pcap_activate(p);
	printf("status %d %s\n", status, status_name(status));
	if (status < 0)
		printf("error %s\n", pcap_geterr(p));
	else {
		n = pcap_list_datalinks(p, &dlts);
		printf("datalinks");
		for (i = 0; i < n; i++)
			printf(" %s", pcap_datalink_val_to_name(dlts[i]));
		printf("\n");
		pcap_free_datalinks(dlts);
		if (pcap_inject(p, "x", 1) < 0)
			printf("inject refused: %s\n", pcap_geterr(p));
		else
			printf("inject accepted\n");
	}
	printf("bpf_fds %d\n", count_bpf_descriptors());
	pcap_close(p);
	printf("bpf_fds_after_close %d\n", count_bpf_descriptors());
	return status < 0 ? 1 : 0;
}
