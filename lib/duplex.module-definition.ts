import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { DuplexModuleOptions } from './duplex-options.js';

export const {
  ConfigurableModuleClass: DuplexConfigurableModule,
  MODULE_OPTIONS_TOKEN: DUPLEX_MODULE_OPTIONS,
  OPTIONS_TYPE: DUPLEX_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: DUPLEX_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<DuplexModuleOptions>({ moduleName: 'Duplex' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createDuplexOptions')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
