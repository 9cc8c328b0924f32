import { accountSetting, accountSettingName, checkAccountSettingValue } from '../domain/account-settings.js'
import type { Implementations } from './operation.js'

/** GetAccountSetting and PutAccountSetting: the caller's account settings in the region called. */
export const accountSettingOperations = {
  GetAccountSetting(input, ctx) {
    const name = accountSettingName(input.name)
    return { name, value: accountSetting(ctx.registry(), name) }
  },

  PutAccountSetting(input, ctx) {
    const name = accountSettingName(input.name)
    checkAccountSettingValue(name, input.value)
    ctx.openRegistry().tables['account-setting'].set(ctx.tx, name, { value: input.value })
    return { name, value: input.value }
  },
} satisfies Implementations
