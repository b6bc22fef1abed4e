/* SPDX-License-Identifier: MIT */
/*
 * What the libaccel guest tests share: the data build.sh links into them
 * (ld -r -b binary: the .dcm, the Fashion-MNIST test images and labels,
 * and the accuracy dcc measured), staged back into files, and whether the
 * guest has the device at all.
 */
#ifndef DCACCEL_GUEST_DATA_H
#define DCACCEL_GUEST_DATA_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const uint8_t _binary_model_dcm_start[], _binary_model_dcm_end[];
extern const uint8_t _binary_images_gz_start[], _binary_images_gz_end[];
extern const uint8_t _binary_labels_gz_start[], _binary_labels_gz_end[];
extern const uint8_t _binary_expected_txt_start[], _binary_expected_txt_end[];

/* The harness puts dcaccel_guest.device=1 on the command line with a device. */
static inline int guest_has_device(void)
{
	char line[4096] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	return strstr(line, "dcaccel_guest.device=1") != NULL;
}

static inline int guest_write_blob(const char *path, const uint8_t *a,
				   const uint8_t *b)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(a, 1, (size_t)(b - a), f) == (size_t)(b - a);

	if (f)
		ok &= !fclose(f);
	return ok ? 0 : -1;
}

/* Write the model, images and labels to /tmp/PREFIX{model.dcm,images.gz,labels.gz}. */
static inline int guest_stage_data(const char *prefix)
{
	char path[256];

	snprintf(path, sizeof(path), "/tmp/%smodel.dcm", prefix);
	if (guest_write_blob(path, _binary_model_dcm_start, _binary_model_dcm_end))
		return -1;
	snprintf(path, sizeof(path), "/tmp/%simages.gz", prefix);
	if (guest_write_blob(path, _binary_images_gz_start, _binary_images_gz_end))
		return -1;
	snprintf(path, sizeof(path), "/tmp/%slabels.gz", prefix);
	return guest_write_blob(path, _binary_labels_gz_start, _binary_labels_gz_end);
}

/* dcc's accuracy on the engine in hundredths of a percent (8922 = 89.22%). */
static inline unsigned int guest_expected_x100(void)
{
	char text[16];

	snprintf(text, sizeof(text), "%.*s",
		 (int)(_binary_expected_txt_end - _binary_expected_txt_start),
		 (const char *)_binary_expected_txt_start);
	return (unsigned int)strtoul(text, NULL, 10);
}

#endif
