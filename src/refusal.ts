// The one mark of an error written for the person at the keyboard: the command line and the
// server's start-up print its message alone, never a stack trace. Kept free of imports so the
// command line can tell such an error apart without loading the module that threw it.

/** A refusal or a fault the operator can act on (a setting, a busy data folder, a file); its message says what to do. */
export class Refusal extends Error {}
