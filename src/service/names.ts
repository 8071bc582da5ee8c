// SPDX-License-Identifier: LGPL-2.1-or-later
// Bus names, object paths and interface names of the service (DESIGN.md §6).

export const CAIRN_BUS_NAME = 'org.cairn.Updater1';
export const CAIRN_OBJECT_PATH = '/org/cairn/Updater1';
export const CAIRN_INTERFACE = 'org.cairn.Updater1';
export const CAIRN_ERROR_PREFIX = 'org.cairn.Updater1.Error.';

export const EOS_BUS_NAME = 'com.endlessm.Updater';
export const EOS_OBJECT_PATH = '/com/endlessm/Updater';
export const EOS_INTERFACE = 'com.endlessm.Updater';
export const EOS_ERROR_PREFIX = 'com.endlessm.Updater.Error.';

export const PROPERTIES_INTERFACE = 'org.freedesktop.DBus.Properties';
