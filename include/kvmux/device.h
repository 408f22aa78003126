/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * device.h - the one interface every emulated device plugs in through,
 * and the table of device kinds (devices/device.c).
 *
 * A device never sees struct vm.  The board hands it a struct
 * device_env: the buses it may decode on, guest memory, the platform list
 * it describes itself in (machine/platform.c), and a few services of the
 * VM as callbacks: drive an interrupt line, bind an irqfd or ioeventfd,
 * ask the VM to stop.  So a device can be built and driven in a unit test
 * with a fake env and no /dev/kvm.
 *
 * Lifecycle of one instance, driven by board.c for every kind in the
 * table and every instance the VM's settings ask for:
 *
 *   open     before any VM exists: read the settings, open host files
 *            (errors here are the user's input: exit status 126)
 *   attach   the VM exists: claim bus ranges, interrupt lines and a place
 *            in the platform list
 *   start    the VM is about to run: start threads, if any
 *   stop     the VM has stopped: end threads, by a deadline
 *   destroy  free everything (never after a stop that missed its deadline)
 *
 * Adding a device: one file under devices/ with its struct device_kind,
 * one line in the table in devices/device.c, and its settings (if any)
 * in cli/settings.c.  The board, the runner and the platform tables need
 * no change.
 */
#ifndef KVMUX_DEVICE_H
#define KVMUX_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvmux/exit_status.h"

struct bus;
struct guest_mem;
struct platform;
struct vm_config;
struct console_sink;
struct irq_controller;
struct msi_msg;
struct msi_route;

/* Descriptors of one VM's devices that its owner thread watches. */
#define DEVICE_MAX_WATCHES 4

/* Events the host raises in the VM's devices. */
enum device_event {
	DEVICE_EVENT_POWER_BUTTON, /* SIGTERM with a grace: shut down */
};

/* What the VM offers its devices; ctx is the VM, opaque to them. */
struct device_env {
	const char *vm_name; /* for messages */
	struct bus *pio;
	struct bus *mmio;
	const struct guest_mem *mem;
	struct platform *platform;
	/* For a console device (kind->console set): its own output sink. */
	struct console_sink *console;
	void *ctx;
	/* Drive interrupt line gsi (KVM_IRQ_LINE).  0 or -1 with err_set(). */
	int (*irq_line)(void *ctx, unsigned int gsi, bool level);
	/* Writing to fd raises gsi (an edge), without kvmux (KVM_IRQFD). */
	int (*irqfd)(void *ctx, unsigned int gsi, int fd);
	/* Say each write to such an fd on gsi (any thread, cheap): a vCPU
	 * halted until kvmux raises an interrupt may wake, and kvmux's
	 * 8259s, which no irqfd reaches, see the edge (vm_irqfd_raised()).
	 * NULL where nobody needs to know (unit tests). */
	void (*irqfd_raised)(void *ctx, unsigned int gsi);
	/* For the interrupt controller kvmux emulates (--irqchip split,
	 * kvmux/irq.h); NULL where there is none.  Take the VM's lines and
	 * EOIs, before the vCPUs run (the later ones NULL); send an MSI
	 * (how many local APICs took it, or -1 with err_set()); replace
	 * the GSI routes (0 or -1 with err_set()). */
	void (*set_irq_controller)(void *ctx, const struct irq_controller *ic);
	/* The output of the controller with inta rose (any thread): the
	 * boot vCPU takes the interrupt (vm_extint_raised()). */
	void (*extint)(void *ctx);
	int (*msi)(void *ctx, const struct msi_msg *msg);
	int (*msi_routes)(void *ctx, const struct msi_route *route,
			  unsigned int nr);
	/* The guest's 4-byte write of value at MMIO addr signals fd
	 * instead of exiting to kvmux (KVM_IOEVENTFD). */
	int (*ioeventfd)(void *ctx, uint64_t addr, uint32_t value, int fd);
	/* Call fn(opaque) on the VM's owner thread each time fd (a
	 * timerfd the device arms from any thread) is readable, while the
	 * VM runs; fn reads fd and must not block.  At most
	 * DEVICE_MAX_WATCHES per VM.  0, or -1 with err_set(). */
	int (*watch)(void *ctx, int fd, void (*fn)(void *opaque), void *opaque);
	/* Stop the VM (any thread; the first reason wins). */
	void (*stop)(void *ctx, enum vm_stop_reason reason, int value,
		     const char *detail);
	/* One line for the user that stops nothing (the VM's name is put
	 * in front); any thread, never blocks. */
	void (*note)(void *ctx, const char *msg);
};

/* A console device's side facing the host's stdin. */
struct console_device_ops {
	/* Take up to len bytes of input (any thread); returns how many. */
	size_t (*input)(void *dev, const uint8_t *buf, size_t len);
	/* fn(opaque) once the guest made room after a short input(); it
	 * runs on a device or vCPU thread and must not block. */
	void (*on_input_room)(void *dev, void (*fn)(void *opaque),
			      void *opaque);
	/* At stop, after its threads and console_sink_last(): hand the
	 * output it still holds to its sink (which takes all of it now),
	 * up to a bound (the rest stays undelivered) and without blocking. */
	void (*hand_over)(void *dev);
	/* Output the host never got (after a stop): what the device could
	 * not hand over, or lost before (NULL: none). */
	uint64_t (*undelivered)(void *dev);
};

struct device_kind {
	const char *name; /* "serial8250", "virtio-blk": for messages */
	/* How many instances cfg asks for (NULL: always one). */
	unsigned int (*count)(const struct vm_config *cfg);
	/* Instance i of cfg, before any VM exists.  NULL with err_set(). */
	void *(*open)(const struct vm_config *cfg, unsigned int i);
	/* Claim what it decodes.  0, or -1 with err_set(). */
	int (*attach)(void *dev, const struct device_env *env);
	int (*start)(void *dev); /* NULL: nothing to start */
	/* -1 if its threads did not end by deadline_ns (monotonic). */
	int (*stop)(void *dev, uint64_t deadline_ns); /* NULL: none */
	void (*destroy)(void *dev);
	/* Set for console devices: they get a sink, and maybe stdin. */
	const struct console_device_ops *console;
	/* Deliver a host event: 1 if done, 0 if not this device's, -1 with
	 * err_set() on failure (NULL: it handles none). */
	int (*event)(void *dev, enum device_event ev);
};

/*
 * Every kind of device, in the order instances are opened and attached:
 * the first console device that exists gets stdin (so the virtio console,
 * when asked for, comes before the UART), and virtio devices take their
 * windows and interrupt lines in this order.  NULL-terminated.
 */
extern const struct device_kind *const device_kinds[];

/* Instances of kind that cfg asks for. */
unsigned int device_count(const struct device_kind *kind,
			  const struct vm_config *cfg);

#endif
