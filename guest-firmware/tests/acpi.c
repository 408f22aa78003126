// SPDX-License-Identifier: GPL-2.0-only
/*
 * acpi.c - reads kvmux's ACPI tables the way an OS meets them, then
 * powers off through them (kvmux must then exit 0; a kernel still
 * running afterwards exits 1):
 *
 *  - the RSDP by scanning the BIOS area, and the one the boot protocol
 *    handed over (hvm_start_info.rsdp_paddr, boot_params.acpi_rsdp_addr):
 *    both must exist and agree;
 *  - every checksum along RSDP, XSDT, FACP, APIC and DSDT;
 *  - a hardware-reduced FADT with I/O sleep control and status registers
 *    and a supported reset register;
 *  - the MADT's enabled processors: the APIC IDs the MP table lists, in
 *    its order, as many as CPUID counts and as cpus=N says if given; one
 *    I/O APIC at 0xfec00000;
 *  - one LNRO0005 device in the DSDT per virtio_mmio.device= entry of
 *    the command line, in the same order, with the same window and
 *    interrupt (Linux registers both; identical resources are what let
 *    the second registration fail cleanly, see docs/devices.md);
 *  - \_S5's SLP_TYP from the DSDT, written with SLP_EN to the sleep
 *    control register.
 *
 * No RSDP at all (kvmux --acpi off) prints "acpi: no RSDP" and exits 2.
 * Failures print "acpi: FAIL <what>" and exit 1.
 */
#include "rt.h"
#include "acpi.h"
#include "bytes.h"
#include "mptable.h"
#include "virtio.h"

static int fail(const char *what)
{
	rt_printf("acpi: FAIL %s\n", what);
	return 1;
}

static const char *check_rsdp(const struct boot_info *bi, uintptr_t *rsdp)
{
	uintptr_t scanned = rt_acpi_scan_rsdp();

	rt_printf("acpi: rsdp by scan 0x%lx, from the boot protocol (%s) "
		  "0x%lx\n",
		  (unsigned long)scanned, rt_boot_proto_name(bi->proto),
		  (unsigned long)bi->acpi_rsdp);
	*rsdp = scanned;
	if (!scanned && !bi->acpi_rsdp)
		return "";
	if (!scanned)
		return "the scan of the BIOS area finds no RSDP";
	if (!bi->acpi_rsdp)
		return "the boot protocol does not give the RSDP";
	if (scanned != bi->acpi_rsdp)
		return "the scanned and the handed-over RSDP differ";
	return NULL;
}

static const char *check_fadt(const struct rt_acpi *a)
{
	if (!(a->fadt_flags & RT_FADT_HW_REDUCED))
		return "the FADT is not hardware-reduced";
	if (!(a->fadt_flags & RT_FADT_RESET_REG_SUP) || !a->reset_reg.address)
		return "the FADT has no reset register";
	if (a->sleep_control.space != RT_ACPI_SPACE_IO ||
	    !a->sleep_control.address ||
	    a->sleep_status.space != RT_ACPI_SPACE_IO ||
	    !a->sleep_status.address)
		return "the FADT has no I/O sleep control and status registers";
	rt_printf("acpi: sleep control io 0x%lx, status io 0x%lx, reset io "
		  "0x%lx value 0x%x\n",
		  (unsigned long)a->sleep_control.address,
		  (unsigned long)a->sleep_status.address,
		  (unsigned long)a->reset_reg.address, a->reset_value);
	return NULL;
}

static const char *compare_cpus(const struct rt_acpi_madt *m,
				const char *cmdline)
{
	static struct rt_mptable mp;
	unsigned int i, cpuid_count;
	uint64_t cpus;

	rt_smp_discover(cmdline);
	cpuid_count = rt_cpu_info(0)->cpuid_count;
	rt_printf("acpi: madt lists %u cpus, ioapic %u at 0x%x; cpuid counts "
		  "%u\n",
		  m->nr_cpus, m->ioapic_id, m->ioapic_addr, cpuid_count);
	if (m->nr_ioapics != 1 || m->ioapic_addr != 0xfec00000)
		return "the MADT does not list one I/O APIC at 0xfec00000";
	if (rt_mptable_read(&mp) != RT_MP_OK)
		return "no MP table to compare with";
	if (mp.nr_cpus != m->nr_cpus || mp.lapic_addr != m->lapic_addr)
		return "the MADT and the MP table disagree on the CPUs";
	for (i = 0; i < m->nr_cpus && i < RT_ACPI_MAX_CPUS; i++)
		if (m->apic_id[i] != mp.cpu[i].apic_id)
			return "the MADT and the MP table list other APIC IDs";
	if (cpuid_count != m->nr_cpus)
		return "the MADT and CPUID count different CPUs";
	if (rt_cmdline_u64(cmdline, "cpus", &cpus) && cpus != m->nr_cpus)
		return "the MADT does not list cpus= CPUs";
	return NULL;
}

static bool same_window(uintptr_t dsdt, unsigned int i,
			const struct virtio_dev *d)
{
	const uint8_t *mem, *irq;

	mem = rt_aml_resource_nth(dsdt, "LNRO0005", i, RT_RES_MEM32_FIXED);
	irq = rt_aml_resource_nth(dsdt, "LNRO0005", i, RT_RES_EXT_IRQ);
	return mem && irq && irq[4] >= 1 && get32(mem + 4) == d->base &&
	       get32(mem + 8) == d->size && get32(irq + 5) == d->irq;
}

static const char *compare_virtio(uintptr_t dsdt, const char *cmdline)
{
	static struct virtio_dev dev[VIRTIO_MAX_DEVS];
	int i, nr = virtio_cmdline_parse(cmdline, dev, VIRTIO_MAX_DEVS);

	for (i = 0; i < nr; i++)
		if (!same_window(dsdt, i, &dev[i]))
			return "an LNRO0005 device of the DSDT differs from its "
			       "virtio_mmio.device= entry, or is missing";
	if (rt_aml_resource_nth(dsdt, "LNRO0005", nr, RT_RES_MEM32_FIXED))
		return "the DSDT has more LNRO0005 devices than the command "
		       "line";
	rt_printf("acpi: %d virtio-mmio windows, the same in the DSDT and on "
		  "the command line\n",
		  nr);
	return NULL;
}

int main(const struct boot_info *bi)
{
	static struct rt_acpi_madt madt;
	struct rt_acpi a;
	const char *err;
	uintptr_t rsdp;
	uint8_t slp_typ;

	err = check_rsdp(bi, &rsdp);
	if (err && !*err) {
		rt_printf("acpi: no RSDP\n");
		return 2;
	}
	if (err || (err = rt_acpi_load(rsdp, &a, true)) ||
	    (err = check_fadt(&a)) ||
	    (err = rt_acpi_read_madt(a.madt, &madt)) ||
	    (err = compare_cpus(&madt, bi->cmdline)) ||
	    (err = compare_virtio(a.dsdt, bi->cmdline)))
		return fail(err);
	if (!rt_aml_s5(a.dsdt, &slp_typ))
		return fail("no \\_S5 package in the DSDT");
	rt_printf("acpi: \\_S5 SLP_TYP %u; powering off\n", slp_typ);
	rt_acpi_power_off(&a, slp_typ);
	return fail("still running after the power-off");
}
