/** The tag that marks the release EMS recommends. */
export const PREFERRED_VERSION_TAG = 'PREFERRED_VERSION';
