// SPDX-License-Identifier: MIT
/* dcaccel info: what the device is and what it can do. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"usage: dcaccel info [--device NODE] [--json]\n"
	"  --device NODE  /dev/accel/accelN (default: the first dcaccel node)\n"
	"  --json         one JSON object on stdout\n"
	"  -h, --help     this help\n";

int cmd_info(int argc, char **argv)
{
	struct accel_device_info i;
	struct accel_device *dev;
	struct accel_error err;
	const char *node = NULL;
	int json = 0, st;

	for (int a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
			fputs(usage, stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[a], "--json")) {
			json = 1;
		} else if (!strcmp(argv[a], "--device")) {
			if (cli_path_value("info", argc, argv, &a,
					   "a device node such as /dev/accel/accel0", &node))
				return EXIT_USAGE;
		} else {
			return cli_unknown("info", argv[a], "expected options only");
		}
	}
	st = accel_open(node, &dev, &err);
	if (st)
		return cli_report(st, &err);
	accel_device_info(dev, &i, NULL);
	accel_close(dev);
	if (json) {
		printf("{\"node\":");
		cli_json_str(i.node);
		printf(",\"driver\":");
		cli_json_str(i.driver);
		printf(",\"driver_version\":\"%d.%d.%d\","
		       "\"device_id\":\"0x%08x\",\"hw_version\":\"%u.%u\",\"pes\":%u,"
		       "\"queue_depth\":%u,\"clock_mhz\":%u,\"max_wbits\":%u,\"max_zbits\":%u,"
		       "\"max_dim\":%u,\"max_batch\":%u,\"max_bos\":%u,\"va_start\":%llu,"
		       "\"va_size\":%llu,\"max_bo_size\":%llu}\n",
		       i.driver_major, i.driver_minor, i.driver_patch,
		       i.device_id, i.hw_version >> 16, i.hw_version & 0xffff, i.pes,
		       i.queue_depth, i.clock_mhz, i.max_wbits, i.max_zbits, i.max_dim,
		       i.max_batch, i.max_bos, (unsigned long long)i.va_start,
		       (unsigned long long)i.va_size, (unsigned long long)i.max_bo_size);
		return EXIT_OK;
	}
	printf("node:            %s\n", i.node);
	printf("driver:          %s %d.%d.%d\n", i.driver, i.driver_major,
	       i.driver_minor, i.driver_patch);
	printf("device:          %04x:%04x, hardware version %u.%u\n",
	       i.device_id >> 16, i.device_id & 0xffff, i.hw_version >> 16,
	       i.hw_version & 0xffff);
	printf("PEs:             %u (activation queues of %u)\n", i.pes, i.queue_depth);
	printf("clock:           %u MHz\n", i.clock_mhz);
	printf("formats:         wbits <= %u, zbits <= %u\n", i.max_wbits, i.max_zbits);
	printf("limits:          layer dims <= %u, batch <= %u, BOs per job <= %u, BO <= %llu bytes\n",
	       i.max_dim, i.max_batch, i.max_bos, (unsigned long long)i.max_bo_size);
	printf("address space:   0x%llx + 0x%llx\n", (unsigned long long)i.va_start,
	       (unsigned long long)i.va_size);
	return EXIT_OK;
}
