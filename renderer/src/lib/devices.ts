/**
 * Remembered devices: a project keeps the microphone and camera picked for it by id and label.
 * Browsers give a device another id on another origin (the browser mode's port changes per
 * launch), so a remembered device is found by id, else by label.
 */
import type { DeviceChoice } from '../../../electron/shared/api';

/** The id of the listed device a choice names, or undefined (use the system default). */
export function matchDevice(
  devices: { deviceId: string; label: string }[],
  choice: DeviceChoice | undefined
): string | undefined {
  if (!choice) return undefined;
  return (
    devices.find((d) => d.deviceId === choice.id)?.deviceId ??
    devices.find((d) => d.label !== '' && d.label === choice.label)?.deviceId
  );
}

/** {@link matchDevice} over the devices the browser lists now. */
export async function deviceIdFor(
  kind: 'audioinput' | 'videoinput',
  choice: DeviceChoice | undefined
): Promise<string | undefined> {
  if (!choice) return undefined;
  const all = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
  return matchDevice(
    all.filter((d) => d.kind === kind),
    choice
  );
}
