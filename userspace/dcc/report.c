// SPDX-License-Identifier: MIT
/*
 * Per layer: weights, density after pruning, bits of the codebook index
 * and of the relative index before and after Huffman coding, bytes, and
 * the compression rate against the dense fp32 layer (weights + biases);
 * then the model totals and the accuracy after every stage.
 */
#include "../dcm/dcm_layout.h"
#include "report.h"

static double layer_dense_bytes(const struct dcm_layer *l)
{
	return 4.0 * ((double)l->rows * l->cols + l->rows);
}

/* Bytes without Huffman: fixed-width pairs plus codebook and raw biases. */
static double layer_pq_bytes(const struct dcm_layer *l)
{
	return (double)l->stored_entries * (l->wbits + l->run_bits) / 8.0 +
	       2.0 * l->codebook_len + 4.0 * l->rows;
}

/* Dense fp32 bytes, weights and non-zeros of the weight layers. */
static void totals(const struct dcm_model *m, double *dense, double *weights,
		   double *nz)
{
	*dense = *weights = *nz = 0;
	for (uint32_t i = 0; i < m->layer_count; i++) {
		const struct dcm_layer *l = &m->layers[i];

		if (l->kind == DCM_POOL)
			continue;
		*dense += layer_dense_bytes(l);
		*weights += (double)l->rows * l->cols;
		*nz += l->nonzeros;
	}
}

void report_table(FILE *out, const struct dcm_model *m,
		  const struct stage_acc *acc)
{
	double dense = 0, weights = 0, nz = 0;
	double pq = DCM_HEADER_BYTES + (double)dcm_record_bytes(m->version ? m->version : DCM_VERSION) *
		    m->layer_count + 4;

	fprintf(out, "\n%-6s %9s %8s | %6s %8s | %6s %8s | %9s %9s | %7s %7s | %10s\n",
		"Layer", "#Weights", "Weights%", "W bits", "W bits", "I bits", "I bits",
		"Bytes", "Bytes", "Rate", "Rate", "EIE stream");
	fprintf(out, "%-6s %9s %8s | %6s %8s | %6s %8s | %9s %9s | %7s %7s | %10s\n",
		"", "", "(P)", "(P+Q)", "(P+Q+H)", "(P+Q)", "(P+Q+H)",
		"(P+Q)", "(P+Q+H)", "(P+Q)", "(P+Q+H)", "bytes (P)");
	unsigned int nconv = 0, nfc = 0;

	for (uint32_t i = 0; i < m->layer_count; i++) {
		const struct dcm_layer *l = &m->layers[i];
		double w = (double)l->rows * l->cols, pairs = l->stored_entries;
		double wh = pairs ? l->widx_huff_bits / pairs : 0;
		double ih = pairs ? (l->huff_bits - l->widx_huff_bits) / pairs : 0;
		double eie = (double)l->streams.entry_count *
			     DCACCEL_EIE_ENTRY_BYTES(l->wbits, l->zbits) +
			     4.0 * l->streams.pes * (l->cols + 1.0);
		char name[16];

		if (l->kind == DCM_POOL)
			continue;	/* no weights */
		if (l->kind == DCM_CONV)
			snprintf(name, sizeof(name), "conv%u", ++nconv);
		else
			snprintf(name, sizeof(name), "fc%u", ++nfc);
		fprintf(out, "%-6s %8.0fK %7.2f%% | %6u %8.2f | %6u %8.2f | %9.0f %9u | %6.2f%% %6.2f%% | %10.0f\n",
			name, w / 1000, 100.0 * l->nonzeros / w, l->wbits, wh,
			l->run_bits, ih, layer_pq_bytes(l), l->payload_bytes,
			100.0 * layer_pq_bytes(l) / layer_dense_bytes(l),
			100.0 * l->payload_bytes / layer_dense_bytes(l), eie);
		dense += layer_dense_bytes(l);
		pq += layer_pq_bytes(l);
		weights += w;
		nz += l->nonzeros;
	}
	fprintf(out, "%-6s %8.0fK %7.2f%% | %6s %8s | %6s %8s | %9.0f %9u | %6.2f%% %6.2f%% |\n",
		"Total", weights / 1000, 100.0 * nz / weights, "", "", "", "",
		pq, m->file_bytes, 100.0 * pq / dense, 100.0 * m->file_bytes / dense);
	fprintf(out, "\nDense fp32: %.0f bytes. Compressed: %.0f bytes without Huffman (%.1fx), %u bytes in the .dcm with Huffman (%.1fx).\n",
		dense, pq, dense / pq, m->file_bytes, dense / m->file_bytes);
	if (acc) {
		const char *sep = " ";

		fprintf(out, "Top-1 accuracy:");
		if (acc->dense >= 0) {
			fprintf(out, "%sdense %.2f%%", sep, acc->dense);
			sep = ", ";
		}
		if (acc->pruned >= 0) {
			fprintf(out, "%spruned %.2f%%", sep, acc->pruned);
			sep = ", ";
		}
		if (acc->quantized >= 0) {
			fprintf(out, "%squantized %.2f%%", sep, acc->quantized);
			sep = ", ";
		}
		if (acc->fixed >= 0)
			fprintf(out, "%sfixed-point on the EIE engine %.2f%%", sep, acc->fixed);
		if (acc->dense >= 0 && acc->fixed >= 0)
			fprintf(out, " (drop %.2f pp)", acc->dense - acc->fixed);
		fprintf(out, "\n");
	}
}

void report_summary(FILE *out, const struct dcm_model *m,
		    const struct stage_acc *acc, double cycles, double energy_nj,
		    double onchip_nj)
{
	double dense, weights, nz;
	const char *sep = "";

	totals(m, &dense, &weights, &nz);
	fprintf(out, "summary: bytes=%u rate=%.2f density=%.4f wbits=", m->file_bytes,
		dense / m->file_bytes, weights ? nz / weights : 0);
	for (uint32_t i = 0; i < m->layer_count; i++)
		if (m->layers[i].kind != DCM_POOL) {
			fprintf(out, "%s%u", sep, m->layers[i].wbits);
			sep = ",";
		}
	fprintf(out, " dense=%.2f trained=%.2f fixed=%.2f cycles=%.0f energy_nj=%.2f onchip_nj=%.2f\n",
		acc->dense, acc->quantized, acc->fixed, cycles, energy_nj, onchip_nj);
}
