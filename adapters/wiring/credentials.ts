import { credentialStore } from './stores.ts';

/* The credentials resolver's adapters, built once per cold start. */

export const credentials = credentialStore();
