/** netsim's version, as package.json gives it (a test keeps the two equal); rows of sweeps record it. */
export const NETSIM_VERSION = '0.2.0';
