// @ts-check
// The full-tab "your data" page: import a chat export; export, restore and erase (LGPD).
MettriI18n.apply();
MettriCore.ensureCore();
