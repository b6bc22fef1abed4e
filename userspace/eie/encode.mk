# The EIE encoder/decoder that dcc and libaccel link, and the threads for
# the datapath's team runs.
EIE_ENCODE_SRCS := userspace/eie/eie_encode.c userspace/eie/eie_decode.c \
	userspace/eie/eie_threads.c

$(LIBEIE_ENCODE): $(EIE_ENCODE_SRCS:%.c=$(O)/%.o) userspace/eie/encode.mk
	# the list of members changes with this file: build it anew
	rm -f $@ && $(AR) rcs $@ $(filter %.o,$^)
