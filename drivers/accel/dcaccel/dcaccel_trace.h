/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dcaccel trace events: a job's life (submit, run on the ring, complete)
 * and the recovery path (timeout, reset), under events/dcaccel/ in tracefs.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM dcaccel

#if !defined(__DCACCEL_TRACE_H__) || defined(TRACE_HEADER_MULTI_READ)
#define __DCACCEL_TRACE_H__

#include <linux/tracepoint.h>

TRACE_EVENT(dcaccel_submit,
	    TP_PROTO(u32 ctx, u64 job_id, u32 cmd_len, u32 bo_count),
	    TP_ARGS(ctx, job_id, cmd_len, bo_count),
	    TP_STRUCT__entry(__field(u32, ctx)
			     __field(u64, job_id)
			     __field(u32, cmd_len)
			     __field(u32, bo_count)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->job_id = job_id;
			   __entry->cmd_len = cmd_len;
			   __entry->bo_count = bo_count;),
	    TP_printk("ctx=%u job=%llu cmd_len=%u bos=%u", __entry->ctx,
		      __entry->job_id, __entry->cmd_len, __entry->bo_count)
);

TRACE_EVENT(dcaccel_run,
	    TP_PROTO(u32 ctx, u64 job_id, u64 seqno, u32 slot),
	    TP_ARGS(ctx, job_id, seqno, slot),
	    TP_STRUCT__entry(__field(u32, ctx)
			     __field(u64, job_id)
			     __field(u64, seqno)
			     __field(u32, slot)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->job_id = job_id;
			   __entry->seqno = seqno;
			   __entry->slot = slot;),
	    TP_printk("ctx=%u job=%llu seqno=%llu slot=%u", __entry->ctx,
		      __entry->job_id, __entry->seqno, __entry->slot)
);

TRACE_EVENT(dcaccel_complete,
	    TP_PROTO(u32 ctx, u64 job_id, u64 seqno, u32 status, u64 cycles),
	    TP_ARGS(ctx, job_id, seqno, status, cycles),
	    TP_STRUCT__entry(__field(u32, ctx)
			     __field(u64, job_id)
			     __field(u64, seqno)
			     __field(u32, status)
			     __field(u64, cycles)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->job_id = job_id;
			   __entry->seqno = seqno;
			   __entry->status = status;
			   __entry->cycles = cycles;),
	    TP_printk("ctx=%u job=%llu seqno=%llu status=%u cycles=%llu",
		      __entry->ctx, __entry->job_id, __entry->seqno,
		      __entry->status, __entry->cycles)
);

TRACE_EVENT(dcaccel_timeout,
	    TP_PROTO(u32 ctx, u64 job_id),
	    TP_ARGS(ctx, job_id),
	    TP_STRUCT__entry(__field(u32, ctx)
			     __field(u64, job_id)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->job_id = job_id;),
	    TP_printk("ctx=%u job=%llu", __entry->ctx, __entry->job_id)
);

TRACE_EVENT(dcaccel_reset,
	    TP_PROTO(u64 guilty_job_id, u32 canceled, u32 requeued, int ret),
	    TP_ARGS(guilty_job_id, canceled, requeued, ret),
	    TP_STRUCT__entry(__field(u64, guilty_job_id)
			     __field(u32, canceled)
			     __field(u32, requeued)
			     __field(int, ret)),
	    TP_fast_assign(__entry->guilty_job_id = guilty_job_id;
			   __entry->canceled = canceled;
			   __entry->requeued = requeued;
			   __entry->ret = ret;),
	    TP_printk("guilty_job=%llu canceled=%u requeued=%u ret=%d",
		      __entry->guilty_job_id, __entry->canceled,
		      __entry->requeued, __entry->ret)
);

#endif /* __DCACCEL_TRACE_H__ */

/* This part must be outside protection */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE dcaccel_trace
#include <trace/define_trace.h>
