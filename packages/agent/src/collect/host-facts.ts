/**
 * What the agent reports about a host besides its packages. Facts are observed, never set by
 * people (those are attributes). A fact that cannot be known is `null`, never a guess: in
 * particular, when the agent inventories a mounted filesystem rather than the machine it runs
 * on, facts about the running machine (uptime, addresses, running kernel) are `null`; so is a
 * fact whose source could not be read, when the caller asked collectFacts to go on without it.
 */

/** The distribution, from os-release(5). */
export interface OsFacts {
  /** `ID`, lower-case (`debian`, `almalinux`, `alpine`); `linux` when the file has none, as os-release(5) says. */
  readonly id: string;
  /** `ID_LIKE`, split on blanks (`["rhel", "centos", "fedora"]`); empty when absent. */
  readonly idLike: readonly string[];
  /** `VERSION_ID` (`12`, `9.4`, `3.20.1`); null for rolling releases and Debian testing. */
  readonly versionId: string | null;
  /** `PRETTY_NAME`, for people (`Debian GNU/Linux 12 (bookworm)`). */
  readonly prettyName: string | null;
  /** `VERSION_CODENAME` (`bookworm`, `jammy`). */
  readonly versionCodename: string | null;
}

/** Facts about one host, as `collectFacts` observes them. */
export interface HostFacts {
  /** Host name: the kernel's (`os.hostname()`) for `/`, else the first name in `<root>/etc/hostname`. */
  readonly hostname: string | null;
  /** `/etc/machine-id` (fallback `/var/lib/dbus/machine-id`): 32 lower-case hex digits; null when empty or malformed. */
  readonly machineId: string | null;
  /** From `/etc/os-release`, fallback `/usr/lib/os-release`; null when neither exists. */
  readonly os: OsFacts | null;
  /** The running kernel's release (`uname -r`); null for a mounted root. */
  readonly kernelRelease: string | null;
  /** The running machine's hardware name (`uname -m`: `x86_64`, `aarch64`); null for a mounted root (its packages carry their own arch). */
  readonly architecture: string | null;
  /** Whole seconds since boot; null for a mounted root. */
  readonly uptimeSeconds: number | null;
  /**
   * Addresses of the running machine's interfaces, IPv4 and IPv6, sorted, without loopback and
   * without IPv6 link-local (`fe80::/10`, present on every interface and meaningless off the link);
   * null for a mounted root.
   */
  readonly ipAddresses: readonly string[] | null;
  /**
   * Whether the running machine waits for a reboot to finish an update: a marker file
   * (`/run/reboot-required` or `/var/run/reboot-required` from Ubuntu's update-notifier and
   * unattended-upgrades, `/run/reboot-needed` from SUSE's zypper); on Debian and Ubuntu without
   * one, a kernel image, libc6, systemd, D-Bus or microcode package unpacked since the system
   * started (dpkg-reboot-hint.ts); on other rpm systems, a kernel, glibc, systemd, firmware or
   * D-Bus package installed since then, as `dnf needs-restarting -r` decides
   * (rpm-reboot-hint.ts). null on apk and unknown systems and for a mounted root.
   */
  readonly rebootRequired: boolean | null;
  /**
   * The firmware's serial number (SMBIOS `product_serial`, or the device tree's `serial-number`),
   * for matching CMDB records; null for a mounted root, without root privileges, or on machines
   * that publish none. Vendor placeholders ("To be filled by O.E.M.") are kept: the server decides.
   */
  readonly serialNumber: string | null;
  /**
   * IANA time zone (`Europe/Berlin`): the `/etc/localtime` link under `zoneinfo/` (what the C
   * library uses), else `/etc/timezone`, else `UTC`; null only when one of those could not be read.
   */
  readonly timezone: string | null;
}

/** The name of one fact, as HostFacts spells it. */
export type FactName = keyof HostFacts;
