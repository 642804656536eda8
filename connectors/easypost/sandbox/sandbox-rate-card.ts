/**
 * The sandbox's carriers and how it prices a parcel: a base per service, a price per ounce, a
 * surcharge per zone, and transit days that grow with the zone for ground services. The zone
 * is the distance between the first digits of the two ZIP codes (as USPS zones roughly are),
 * so a parcel from Columbus to Seattle costs more and takes longer than one across town.
 */

export interface SandboxService {
  carrier: string;
  service: string;
  baseCents: number;
  centsPerOunce: number;
  centsPerZone: number;
  /** Transit days at zone 1; ground services add `daysPerTwoZones` for every two zones. */
  days: number;
  daysPerTwoZones: number;
  carrierAccountId: string;
}

export const SANDBOX_SERVICES: readonly SandboxService[] = [
  { carrier: "USPS", service: "GroundAdvantage", baseCents: 520, centsPerOunce: 9, centsPerZone: 45, days: 2, daysPerTwoZones: 1, carrierAccountId: "ca_sandbox_usps" },
  { carrier: "USPS", service: "Priority", baseCents: 780, centsPerOunce: 12, centsPerZone: 70, days: 2, daysPerTwoZones: 0, carrierAccountId: "ca_sandbox_usps" },
  { carrier: "USPS", service: "Express", baseCents: 2650, centsPerOunce: 20, centsPerZone: 190, days: 1, daysPerTwoZones: 0, carrierAccountId: "ca_sandbox_usps" },
  { carrier: "UPS", service: "Ground", baseCents: 640, centsPerOunce: 8, centsPerZone: 52, days: 1, daysPerTwoZones: 1, carrierAccountId: "ca_sandbox_ups" },
  { carrier: "UPS", service: "2ndDayAir", baseCents: 1490, centsPerOunce: 15, centsPerZone: 120, days: 2, daysPerTwoZones: 0, carrierAccountId: "ca_sandbox_ups" },
  { carrier: "UPS", service: "NextDayAir", baseCents: 3100, centsPerOunce: 24, centsPerZone: 240, days: 1, daysPerTwoZones: 0, carrierAccountId: "ca_sandbox_ups" },
  { carrier: "FedEx", service: "FEDEX_GROUND", baseCents: 660, centsPerOunce: 8, centsPerZone: 50, days: 1, daysPerTwoZones: 1, carrierAccountId: "ca_sandbox_fedex" },
  { carrier: "FedEx", service: "FEDEX_2_DAY", baseCents: 1450, centsPerOunce: 15, centsPerZone: 115, days: 2, daysPerTwoZones: 0, carrierAccountId: "ca_sandbox_fedex" },
];

export function zoneBetween(fromZip: string | undefined, toZip: string | undefined): number {
  const a = Number(fromZip?.trim()[0]);
  const b = Number(toZip?.trim()[0]);
  if (!Number.isInteger(a) || !Number.isInteger(b)) return 8;
  return Math.min(8, Math.abs(a - b) + 1);
}

export function priceService(service: SandboxService, weightOunces: number, zone: number): { cents: number; days: number } {
  const cents = service.baseCents + Math.ceil(weightOunces) * service.centsPerOunce + (zone - 1) * service.centsPerZone;
  const days = service.days + Math.floor((zone - 1) / 2) * service.daysPerTwoZones;
  return { cents, days };
}

export function centsToDecimal(cents: number): string {
  return (cents / 100).toFixed(2);
}
